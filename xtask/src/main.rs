fn main() {
    for f in kaleyra_wa::schema::all() {
        println!(
            "== {}\n{}",
            f.file_name,
            kaleyra_wa::schema::render(&f.schema)
        );
    }
}
