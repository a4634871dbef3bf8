//! Kasa's ports: the traits through which the use cases reach the outside world (payment
//! gateways, mail, the store, the clock), and the records that cross them.
//!
//! Promises: every trait is object-safe (`dyn` works, so gateways are chosen at run time); every
//! store method is one atomic change inside the adapter, shaped by one use case; every method
//! documents its `# Errors` contract; no vendor type appears here. With the `mocks` feature each
//! trait has a mockall `Mock…` twin for other crates' tests.

mod access;
mod books;
mod clock;
mod coupons;
mod document_summary;
mod documents;
mod gateway;
mod gateway_descriptor;
mod help_desk;
mod help_desk_apps;
mod help_desk_events;
mod imports;
mod integrations;
mod mailer;
mod payment_actions;
mod payment_requests;
mod questions;
mod records;
mod reports;
mod store;
mod webhooks;

pub use access::{
    AccessStore, ApiKey, BillingLink, IdempotencyClaim, IdempotencyStore, RefundLimitChange,
    TokenOwner, User, UserCredentials,
};
#[cfg(any(test, feature = "mocks"))]
pub use access::{MockAccessStore, MockIdempotencyStore};
#[cfg(any(test, feature = "mocks"))]
pub use books::MockBooksStore;
pub use books::{
    BooksSize, BooksStore, CustomerBooks, LedgerBooksPage, LedgerPosition, LiabilityCheck,
    LiabilityDifference, PaymentBooks, UsageSummaryCheck, UsageSummaryDifference,
    compare_liability_sums,
};
#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
pub use clock::{Clock, SystemClock, new_id};
#[cfg(any(test, feature = "mocks"))]
pub use coupons::MockCouponStore;
pub use coupons::{CouponRecord, CouponStore, DisableCoupon, NewCoupon, PurchaseCoupon};
pub use document_summary::{
    DocumentSide, DocumentSummaryCheck, DocumentSummaryDifference, DocumentSummaryRows,
    DocumentSummaryTally, LinesDoNotAddUp, RevenueBucket, RevenueTotal, TaxBucket, TaxTotal,
    document_gateway, document_package, document_summary_rows, document_tax_lines,
};
#[cfg(any(test, feature = "mocks"))]
pub use documents::MockDocumentRenderer;
pub use documents::{DocumentError, DocumentRenderer, Logo, LogoError, LogoFormat};
#[cfg(any(test, feature = "mocks"))]
pub use gateway::MockPaymentGateway;
pub use gateway::{
    ABANDONED_CODE, CaptureMode, GatewayCallback, GatewayError, GatewayEvent, GatewayEventKind,
    GatewayName, GatewayReceipt, GatewayReference, OrderId, PaymentCard, PaymentGateway,
    PaymentHandle, PaymentInitiation, PaymentResult, PaymentResultStatus, PaymentStart,
    PaymentStatusReport, RecurringStart, capture_mode_of,
};
pub use gateway_descriptor::{
    BrowserCheckout, GatewayBuilder, GatewayCapabilities, GatewayChoice, GatewayDescriptor,
    GatewaySetting,
};
pub use help_desk::{
    HelpDesk, HelpDeskCall, HelpDeskCallQuery, HelpDeskCallStore, HelpDeskConnection,
    HelpDeskConnectionStore, HelpDeskError, NEW_TICKET, NewHelpDeskCall, NewTicket,
};
#[cfg(any(test, feature = "mocks"))]
pub use help_desk::{MockHelpDesk, MockHelpDeskCallStore, MockHelpDeskConnectionStore};
#[cfg(any(test, feature = "mocks"))]
pub use help_desk_apps::MockHelpDeskAppStore;
pub use help_desk_apps::{HelpDeskAppStore, ZendeskApp};
#[cfg(any(test, feature = "mocks"))]
pub use help_desk_events::MockHelpDeskEventStore;
pub use help_desk_events::{DepartmentMapping, HelpDeskEventSettings, HelpDeskEventStore};
pub use imports::{
    IMPORT_NOTE_MAX_CHARS, IMPORT_REFERENCE_MAX_CHARS, ImportMethod, ImportedPayment, PaymentImport,
};
#[cfg(any(test, feature = "mocks"))]
pub use integrations::MockIntegrationStore;
pub use integrations::{Integration, IntegrationStore};
#[cfg(any(test, feature = "mocks"))]
pub use mailer::MockMailer;
pub use mailer::{EmailAttachment, EmailMessage, MailError, Mailer};
#[cfg(any(test, feature = "mocks"))]
pub use payment_actions::MockPaymentActionStore;
pub use payment_actions::{
    ApprovalDecision, ApprovalRequest, ApprovalRequestState, ApprovalRequestedAction,
    FinishedApproval, FinishedPaymentAction, GivenBackCheck, NewApprovalRequest, NewPaymentAction,
    PaymentAction, PaymentActionKind, PaymentActionOutcome, PaymentActionResult,
    PaymentActionState, PaymentActionStore,
};
#[cfg(any(test, feature = "mocks"))]
pub use payment_requests::MockPaymentRequestStore;
pub use payment_requests::{
    NewPaymentRequest, PaymentRequest, PaymentRequestCancellation, PaymentRequestState,
    PaymentRequestStore, RequestCancellation, RequestPaymentStart,
};
#[cfg(any(test, feature = "mocks"))]
pub use questions::MockQuestionStore;
pub use questions::{
    NewQuestion, Question, QuestionStore, QuestionTopic, TicketState, question_call_key,
};
pub use records::{
    ActionContext, AmountItem, Audience, AuditEntry, AuditRecord, BillingSettings, ChargeBasis,
    CustomerLookup, CustomerState, FourEyesSettings, IdempotencyMark, Invoice, InvoiceKind,
    InvoiceNumber, InvoiceSettings, NewInvoice, NewPurchase, OutboxMessage, OutboxPayload, Payment,
    PaymentStatus, PaymentSystem, PaymentSystemChange, Purchase, PurchaseItem, PurchaseOutcome,
    PurchaseStatus, Secret, UsageCharge,
};
#[cfg(any(test, feature = "mocks"))]
pub use reports::MockReportStore;
pub use reports::{
    DocumentAmount, LiabilitySources, LiabilityTotal, NumberingCheck, RefundFact, RegisterCursor,
    ReportStore, SubscriptionPosition, UsageTotal, missing_numbers, on_the_hour, usage_hour,
};
pub use store::{
    AdjustCredits, AppliedPurchase, AuditQuery, CancelSubscription, CatalogStore, ChargeContext,
    ChargeContextQuery, ChargeStore, CurrencyTally, CustomerSearch, CustomerStore,
    DashboardCustomer, DashboardFigures, DashboardQuery, Entity, ExpireTerms, HistoryStore,
    HoldingStore, InvoiceStore, NewUsageCharge, OutboxStore, PaymentFailure, PaymentSettlement,
    ProcessedGatewayEvent, PurchaseApplication, PurchaseQuery, PurchaseStore, PurchaseTarget,
    RecordedCharge, Recurring, RecurringState, SetDepartment, SettingsStore, Store, StoreError,
};
#[cfg(any(test, feature = "mocks"))]
pub use store::{
    MockCatalogStore, MockChargeStore, MockCustomerStore, MockHistoryStore, MockHoldingStore,
    MockInvoiceStore, MockOutboxStore, MockPurchaseStore, MockSettingsStore,
};
#[cfg(any(test, feature = "mocks"))]
pub use webhooks::MockWebhookStore;
pub use webhooks::{
    DueWebhookDelivery, EndingSubscriptionTerm, NewWebhookEvent, RefusedCharge,
    UnknownWebhookEventType, WEBHOOK_SWITCH_OFF_AFTER, WebhookAttempt, WebhookDelivery,
    WebhookDeliveryState, WebhookEndpoint, WebhookEndpointChange, WebhookEvent, WebhookEventType,
    WebhookStore, completed_purchase, credits_event_data, webhook_event_for_ending_term,
    webhook_event_for_invoice, webhook_event_for_paid_request, webhook_event_for_refusal,
    webhook_events_for, webhook_events_for_charge, webhook_retry_delay,
};
