//! A builder that cannot produce an invalid request.

use crate::report::Report;
use crate::request::{
    Action, Body, Context, ExtraInfo, Footer, Interactive, InteractiveType, MessageType,
    MessagingObject, MessagingProduct, RecipientType, SendRequest,
};
use crate::wa_source::WaSource;

/// Builds a [`SendRequest`]; [`build`](RequestBuilder::build) validates it.
///
/// The constants (`whatsapp`, `individual`, `interactive`, `product`) are filled in.
///
/// ```
/// let request = kaleyra_wa::SendRequest::builder()
///     .to("919876543210")
///     .catalog_id("103449")
///     .product_retailer_id("17026")
///     .body("Your order has been shipped.")
///     .footer("Shipment from Kaleyra.")
///     .r#ref("customer1")
///     .build()?;
/// assert_eq!(request.messaging_object.interactive.action.catalog_id, "103449");
/// # Ok::<(), kaleyra_wa::Report>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct RequestBuilder {
    to: String,
    catalog_id: String,
    product_retailer_id: String,
    body: Option<String>,
    footer: Option<String>,
    context_message_id: Option<String>,
    biz_opaque_callback_data: Option<String>,
    extra_info: ExtraInfo,
}

impl SendRequest {
    /// Starts a [`RequestBuilder`].
    pub fn builder() -> RequestBuilder {
        RequestBuilder::default()
    }
}

impl RequestBuilder {
    /// The recipient, or several separated by commas (E.164).
    pub fn to(mut self, to: impl Into<String>) -> Self {
        self.to = to.into();
        self
    }

    /// The catalog id (mandatory).
    pub fn catalog_id(mut self, id: impl Into<String>) -> Self {
        self.catalog_id = id.into();
        self
    }

    /// The product's retailer id (mandatory).
    pub fn product_retailer_id(mut self, id: impl Into<String>) -> Self {
        self.product_retailer_id = id.into();
        self
    }

    /// The body text: 1 to [`BODY_TEXT_MAX`](crate::limits::BODY_TEXT_MAX) characters.
    pub fn body(mut self, text: impl Into<String>) -> Self {
        self.body = Some(text.into());
        self
    }

    /// The footer text: 1 to [`FOOTER_TEXT_MAX`](crate::limits::FOOTER_TEXT_MAX) characters.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.footer = Some(text.into());
        self
    }

    /// Replies to the message with this id.
    pub fn reply_to(mut self, message_id: impl Into<String>) -> Self {
        self.context_message_id = Some(message_id.into());
        self
    }

    /// Meta's `biz_opaque_callback_data`: at most
    /// [`BIZ_OPAQUE_CALLBACK_DATA_MAX`](crate::limits::BIZ_OPAQUE_CALLBACK_DATA_MAX) characters.
    pub fn biz_opaque_callback_data(mut self, data: impl Into<String>) -> Self {
        self.biz_opaque_callback_data = Some(data.into());
        self
    }

    /// `extra_info.ref`.
    pub fn r#ref(mut self, value: impl Into<String>) -> Self {
        self.extra_info.r#ref = Some(value.into());
        self
    }

    /// `extra_info.ref1`.
    pub fn ref1(mut self, value: impl Into<String>) -> Self {
        self.extra_info.ref1 = Some(value.into());
        self
    }

    /// `extra_info.ref2`.
    pub fn ref2(mut self, value: impl Into<String>) -> Self {
        self.extra_info.ref2 = Some(value.into());
        self
    }

    /// `extra_info.wa_source`.
    pub fn wa_source(mut self, source: impl Into<WaSource>) -> Self {
        self.extra_info.wa_source = Some(source.into());
        self
    }

    /// Builds the request and validates it. Errors are returned as a [`Report`]; a request
    /// with only warnings is built (the API accepts it).
    pub fn build(self) -> Result<SendRequest, Report> {
        let request = SendRequest {
            messaging_object: MessagingObject {
                messaging_product: MessagingProduct::WhatsApp,
                recipient_type: Some(RecipientType::Individual),
                to: self.to,
                r#type: MessageType::Interactive,
                interactive: Interactive {
                    r#type: InteractiveType::Product,
                    body: self.body.map(|text| Body { text }),
                    footer: self.footer.map(|text| Footer { text }),
                    action: Action {
                        catalog_id: self.catalog_id,
                        product_retailer_id: self.product_retailer_id,
                    },
                },
                context: self
                    .context_message_id
                    .map(|message_id| Context { message_id }),
                biz_opaque_callback_data: self.biz_opaque_callback_data,
            },
            extra_info: (self.extra_info != ExtraInfo::default()).then_some(self.extra_info),
        };
        let report = request.validate();
        if report.is_valid() {
            Ok(request)
        } else {
            Err(report)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rule;

    #[test]
    fn build_rejects_what_validation_rejects() {
        let report = SendRequest::builder()
            .to("0919876543210")
            .footer("x".repeat(61))
            .build()
            .unwrap_err();
        let found: Vec<_> = report
            .errors()
            .map(|v| (v.pointer.as_str(), v.rule))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "/messaging_object/interactive/action/catalog_id",
                    Rule::Empty
                ),
                (
                    "/messaging_object/interactive/action/product_retailer_id",
                    Rule::Empty
                ),
                ("/messaging_object/interactive/footer/text", Rule::TooLong),
                ("/messaging_object/to", Rule::Phone),
            ]
        );
    }
}
