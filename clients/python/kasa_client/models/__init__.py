"""Contains all the data models used in inputs/outputs"""

from .action_result import ActionResult
from .adjust_request import AdjustRequest
from .amount_item_body import AmountItemBody
from .api_key_body import ApiKeyBody
from .api_key_body_role import ApiKeyBodyRole
from .approval_decision_request import ApprovalDecisionRequest
from .approval_request_body import ApprovalRequestBody
from .approval_result_body import ApprovalResultBody
from .ask_question_body import AskQuestionBody
from .audit_entry_body import AuditEntryBody
from .billing_context import BillingContext
from .billing_link import BillingLink
from .billing_link_body import BillingLinkBody
from .billing_link_request import BillingLinkRequest
from .billing_settings_body import BillingSettingsBody
from .billing_settings_body_four_eyes import BillingSettingsBodyFourEyes
from .billing_settings_body_invoicing import BillingSettingsBodyInvoicing
from .billing_settings_input import BillingSettingsInput
from .billing_settings_input_four_eyes import BillingSettingsInputFourEyes
from .billing_settings_input_invoicing import BillingSettingsInputInvoicing
from .cancel_request import CancelRequest
from .cancel_timing import CancelTiming
from .capture_request import CaptureRequest
from .card_change import CardChange
from .card_department_body import CardDepartmentBody
from .charge_allowed import ChargeAllowed
from .charge_request import ChargeRequest
from .coupon_body import CouponBody
from .coupon_check_body import CouponCheckBody
from .coupon_input import CouponInput
from .covering_package import CoveringPackage
from .created_api_key import CreatedApiKey
from .created_integration import CreatedIntegration
from .created_webhook_endpoint import CreatedWebhookEndpoint
from .customer_body import CustomerBody
from .customer_body_language import CustomerBodyLanguage
from .customer_change import CustomerChange
from .customer_change_language_type_1 import CustomerChangeLanguageType1
from .customer_change_language_type_2_type_1 import CustomerChangeLanguageType2Type1
from .customer_change_language_type_3_type_1 import CustomerChangeLanguageType3Type1
from .customer_input import CustomerInput
from .customer_input_language_type_1 import CustomerInputLanguageType1
from .customer_input_language_type_2_type_1 import CustomerInputLanguageType2Type1
from .customer_input_language_type_3_type_1 import CustomerInputLanguageType3Type1
from .customer_ref import CustomerRef
from .department_body import DepartmentBody
from .department_input import DepartmentInput
from .department_mapping_body import DepartmentMappingBody
from .department_mapping_request import DepartmentMappingRequest
from .disable_coupon_input import DisableCouponInput
from .discount_kind_body import DiscountKindBody
from .event_settings_body import EventSettingsBody
from .external_id_body import ExternalIdBody
from .four_eyes_body import FourEyesBody
from .give_back_result_body_approval_request_body import GiveBackResultBodyApprovalRequestBody
from .give_back_result_body_approval_request_body_outcome import GiveBackResultBodyApprovalRequestBodyOutcome
from .give_back_result_body_payment_action_result_body import GiveBackResultBodyPaymentActionResultBody
from .give_back_result_body_payment_action_result_body_outcome import GiveBackResultBodyPaymentActionResultBodyOutcome
from .grant_request import GrantRequest
from .help_desk_call_body import HelpDeskCallBody
from .help_desk_connection_body import HelpDeskConnectionBody
from .help_desk_connection_input import HelpDeskConnectionInput
from .holding_body import HoldingBody
from .import_method_body import ImportMethodBody
from .import_result_body import ImportResultBody
from .imported_payment_body import ImportedPaymentBody
from .imported_payment_create import ImportedPaymentCreate
from .integration_body import IntegrationBody
from .invoice_body import InvoiceBody
from .invoicing_body import InvoicingBody
from .ledger_entry_body import LedgerEntryBody
from .list_approval_requests_state import ListApprovalRequestsState
from .list_purchases_status import ListPurchasesStatus
from .logo_body import LogoBody
from .logo_change import LogoChange
from .money_body import MoneyBody
from .money_body_currency import MoneyBodyCurrency
from .my_billing import MyBilling
from .my_card_body import MyCardBody
from .my_document_body import MyDocumentBody
from .my_history import MyHistory
from .my_history_entry import MyHistoryEntry
from .my_language_body import MyLanguageBody
from .my_language_body_language import MyLanguageBodyLanguage
from .my_movement_body import MyMovementBody
from .my_payment_body import MyPaymentBody
from .new_api_key_body import NewApiKeyBody
from .new_api_key_body_role import NewApiKeyBodyRole
from .new_integration_body import NewIntegrationBody
from .new_user_body import NewUserBody
from .new_user_body_role import NewUserBodyRole
from .new_webhook_endpoint_body import NewWebhookEndpointBody
from .numbering_body import NumberingBody
from .outbox_message_body import OutboxMessageBody
from .package_body import PackageBody
from .package_description_body import PackageDescriptionBody
from .package_input import PackageInput
from .package_kind_body import PackageKindBody
from .payment_action_body import PaymentActionBody
from .payment_action_result_body import PaymentActionResultBody
from .payment_body import PaymentBody
from .payment_request_body import PaymentRequestBody
from .payment_request_cancel import PaymentRequestCancel
from .payment_request_coupon_body import PaymentRequestCouponBody
from .payment_request_create import PaymentRequestCreate
from .payment_system_body import PaymentSystemBody
from .payment_system_body_configuration import PaymentSystemBodyConfiguration
from .payment_system_input import PaymentSystemInput
from .payment_system_input_configuration import PaymentSystemInputConfiguration
from .payment_system_input_credentials import PaymentSystemInputCredentials
from .problem import Problem
from .problem_code import ProblemCode
from .problem_facts import ProblemFacts
from .purchase_body import PurchaseBody
from .purchase_coupon_body import PurchaseCouponBody
from .question_body import QuestionBody
from .reason_body import ReasonBody
from .recurring_body import RecurringBody
from .recurring_request import RecurringRequest
from .refund_allowance_body import RefundAllowanceBody
from .refund_allowance_body_currency import RefundAllowanceBodyCurrency
from .refund_limit_body import RefundLimitBody
from .refund_limit_body_currency_type_1 import RefundLimitBodyCurrencyType1
from .refund_limit_body_currency_type_2_type_1 import RefundLimitBodyCurrencyType2Type1
from .refund_limit_body_currency_type_3_type_1 import RefundLimitBodyCurrencyType3Type1
from .refund_request import RefundRequest
from .report_body import ReportBody
from .report_body_summary import ReportBodySummary
from .report_column_body import ReportColumnBody
from .role_body import RoleBody
from .save_payment_system_gateway import SavePaymentSystemGateway
from .session import Session
from .session_role import SessionRole
from .set_refund_limit_role import SetRefundLimitRole
from .set_zendesk_app_body import SetZendeskAppBody
from .sign_in import SignIn
from .subscription_body import SubscriptionBody
from .tax_details_body import TaxDetailsBody
from .tax_details_change import TaxDetailsChange
from .term_body import TermBody
from .ticket_state_body import TicketStateBody
from .usage_charge_body import UsageChargeBody
from .usage_kind_body import UsageKindBody
from .user_body import UserBody
from .user_body_role import UserBodyRole
from .user_change import UserChange
from .user_change_role import UserChangeRole
from .void_request import VoidRequest
from .webhook_attempt_body import WebhookAttemptBody
from .webhook_delivery_body import WebhookDeliveryBody
from .webhook_endpoint_body import WebhookEndpointBody
from .webhook_endpoint_change_body import WebhookEndpointChangeBody
from .webhook_event_type_body import WebhookEventTypeBody
from .webhook_secret_request import WebhookSecretRequest
from .webhook_secret_set import WebhookSecretSet
from .zendesk_app_body import ZendeskAppBody

__all__ = (
    "ActionResult",
    "AdjustRequest",
    "AmountItemBody",
    "ApiKeyBody",
    "ApiKeyBodyRole",
    "ApprovalDecisionRequest",
    "ApprovalRequestBody",
    "ApprovalResultBody",
    "AskQuestionBody",
    "AuditEntryBody",
    "BillingContext",
    "BillingLink",
    "BillingLinkBody",
    "BillingLinkRequest",
    "BillingSettingsBody",
    "BillingSettingsBodyFourEyes",
    "BillingSettingsBodyInvoicing",
    "BillingSettingsInput",
    "BillingSettingsInputFourEyes",
    "BillingSettingsInputInvoicing",
    "CancelRequest",
    "CancelTiming",
    "CaptureRequest",
    "CardChange",
    "CardDepartmentBody",
    "ChargeAllowed",
    "ChargeRequest",
    "CouponBody",
    "CouponCheckBody",
    "CouponInput",
    "CoveringPackage",
    "CreatedApiKey",
    "CreatedIntegration",
    "CreatedWebhookEndpoint",
    "CustomerBody",
    "CustomerBodyLanguage",
    "CustomerChange",
    "CustomerChangeLanguageType1",
    "CustomerChangeLanguageType2Type1",
    "CustomerChangeLanguageType3Type1",
    "CustomerInput",
    "CustomerInputLanguageType1",
    "CustomerInputLanguageType2Type1",
    "CustomerInputLanguageType3Type1",
    "CustomerRef",
    "DepartmentBody",
    "DepartmentInput",
    "DepartmentMappingBody",
    "DepartmentMappingRequest",
    "DisableCouponInput",
    "DiscountKindBody",
    "EventSettingsBody",
    "ExternalIdBody",
    "FourEyesBody",
    "GiveBackResultBodyApprovalRequestBody",
    "GiveBackResultBodyApprovalRequestBodyOutcome",
    "GiveBackResultBodyPaymentActionResultBody",
    "GiveBackResultBodyPaymentActionResultBodyOutcome",
    "GrantRequest",
    "HelpDeskCallBody",
    "HelpDeskConnectionBody",
    "HelpDeskConnectionInput",
    "HoldingBody",
    "ImportedPaymentBody",
    "ImportedPaymentCreate",
    "ImportMethodBody",
    "ImportResultBody",
    "IntegrationBody",
    "InvoiceBody",
    "InvoicingBody",
    "LedgerEntryBody",
    "ListApprovalRequestsState",
    "ListPurchasesStatus",
    "LogoBody",
    "LogoChange",
    "MoneyBody",
    "MoneyBodyCurrency",
    "MyBilling",
    "MyCardBody",
    "MyDocumentBody",
    "MyHistory",
    "MyHistoryEntry",
    "MyLanguageBody",
    "MyLanguageBodyLanguage",
    "MyMovementBody",
    "MyPaymentBody",
    "NewApiKeyBody",
    "NewApiKeyBodyRole",
    "NewIntegrationBody",
    "NewUserBody",
    "NewUserBodyRole",
    "NewWebhookEndpointBody",
    "NumberingBody",
    "OutboxMessageBody",
    "PackageBody",
    "PackageDescriptionBody",
    "PackageInput",
    "PackageKindBody",
    "PaymentActionBody",
    "PaymentActionResultBody",
    "PaymentBody",
    "PaymentRequestBody",
    "PaymentRequestCancel",
    "PaymentRequestCouponBody",
    "PaymentRequestCreate",
    "PaymentSystemBody",
    "PaymentSystemBodyConfiguration",
    "PaymentSystemInput",
    "PaymentSystemInputConfiguration",
    "PaymentSystemInputCredentials",
    "Problem",
    "ProblemCode",
    "ProblemFacts",
    "PurchaseBody",
    "PurchaseCouponBody",
    "QuestionBody",
    "ReasonBody",
    "RecurringBody",
    "RecurringRequest",
    "RefundAllowanceBody",
    "RefundAllowanceBodyCurrency",
    "RefundLimitBody",
    "RefundLimitBodyCurrencyType1",
    "RefundLimitBodyCurrencyType2Type1",
    "RefundLimitBodyCurrencyType3Type1",
    "RefundRequest",
    "ReportBody",
    "ReportBodySummary",
    "ReportColumnBody",
    "RoleBody",
    "SavePaymentSystemGateway",
    "Session",
    "SessionRole",
    "SetRefundLimitRole",
    "SetZendeskAppBody",
    "SignIn",
    "SubscriptionBody",
    "TaxDetailsBody",
    "TaxDetailsChange",
    "TermBody",
    "TicketStateBody",
    "UsageChargeBody",
    "UsageKindBody",
    "UserBody",
    "UserBodyRole",
    "UserChange",
    "UserChangeRole",
    "VoidRequest",
    "WebhookAttemptBody",
    "WebhookDeliveryBody",
    "WebhookEndpointBody",
    "WebhookEndpointChangeBody",
    "WebhookEventTypeBody",
    "WebhookSecretRequest",
    "WebhookSecretSet",
    "ZendeskAppBody",
)
