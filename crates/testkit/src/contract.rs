//! The store contract: one suite that every store (in memory, SQLite, PostgreSQL) must pass.
//!
//! [`ports`] calls the store ports directly (uniqueness, atomicity, versions, leases, reads);
//! [`flows`] drives the use cases over the store (purchases, charges, renewals, forfeiture,
//! cancellation, expiry, notifications); [`concurrency`] charges from 64 tasks at once;
//! [`books`] writes a real history and checks that `kasa verify` finds its books whole. [`store_contract_tests!`](crate::store_contract_tests)
//! turns every case into a test for a given store.

pub mod books;
pub mod concurrency;
pub mod coupons;
pub mod document_summary;
pub mod flows;
pub mod help_desk_calls;
pub mod help_desk_events;
pub mod imports;
pub mod integrations;
pub mod liability_summary;
pub mod payment_requests;
pub mod ports;
pub mod questions;
pub mod reports;
pub mod usage_summary;
pub mod webhooks;
pub mod zendesk_apps;

/// Declares one `#[tokio::test]` per contract case. The argument is an async expression giving
/// `Option<(Arc<store>, guard)>` for a fresh, empty store: the guard lives as long as the test
/// (a test database is dropped with it); `None` means the backend is missing, and the case
/// returns after saying so (the factory prints why).
#[macro_export]
macro_rules! store_contract_tests {
    ($fresh_store:expr) => {
        $crate::store_contract_tests!(@cases $fresh_store;
            concurrency::sixty_four_help_desks_charge_a_thousand_tickets_against_five_hundred_credits,
            concurrency::every_ticket_sent_twice_at_once_is_charged_once,
            concurrency::a_ticket_charged_during_a_switch_to_a_subscription_is_never_refused,
            ports::a_customer_is_updated_but_never_takes_anothers_email_or_external_id,
            ports::purchases_page_newest_first_with_filters,
            ports::payment_system_credentials_are_kept_but_never_read_back,
            ports::invoices_are_numbered_without_gaps_per_series_and_year,
            ports::concurrent_invoices_take_consecutive_numbers,
            flows::a_paid_purchase_is_invoiced_once_and_a_free_grant_is_not,
            ports::the_catalogue_round_trips_and_refuses_duplicate_names,
            ports::customers_are_found_every_way_and_never_share_an_email_or_external_id,
            ports::customers_are_searched_by_email_name_external_id_and_ticket,
            ports::the_ledger_pages_newest_first,
            ports::the_card_keeps_the_origin_of_each_department,
            ports::an_order_id_belongs_to_one_purchase_per_gateway,
            ports::a_purchase_is_applied_once_and_never_on_a_stale_version,
            ports::a_failed_payment_closes_its_purchase_once,
            ports::a_payment_reference_is_recorded_once_while_pending,
            flows::a_webhook_event_is_acted_on_once_and_a_forged_one_changes_nothing,
            flows::a_refund_made_at_the_gateway_is_recorded_once_with_its_credit_note,
            flows::a_renewing_subscription_applies_each_paid_period_once_and_stops_at_the_gateway,
            ports::a_refused_call_leaves_no_trace,
            ports::a_charge_is_recorded_once_and_never_below_zero,
            ports::the_outbox_leases_retries_and_settles_messages,
            ports::the_dashboard_counts_todays_purchases_and_lists_ending_subscriptions,
            ports::settings_start_from_defaults_and_round_trip,
            ports::the_audit_log_pages_newest_first_with_filters,
            flows::a_paid_credit_package_is_granted_once_whatever_arrives_how_often,
            flows::a_tampered_or_unknown_callback_changes_nothing,
            flows::a_declined_payment_grants_nothing_and_a_late_approval_cannot_undo_it,
            flows::tickets_cost_once_per_ticket_and_a_refusal_names_balance_price_and_packages,
            flows::a_free_department_costs_nothing_once_enabled,
            flows::subscriptions_renew_only_inside_the_window_and_never_lose_a_day,
            flows::switching_kinds_needs_confirmation_and_records_the_forfeiture,
            flows::a_paid_purchase_that_would_forfeit_without_confirmation_waits_for_an_agent,
            flows::an_amount_mismatch_is_held_for_an_agent,
            flows::ended_terms_release_their_departments_but_not_those_enabled_by_hand,
            flows::cancelling_now_releases_departments_and_prices_the_unused_time,
            flows::cancelling_at_the_end_keeps_access_until_then,
            flows::agents_adjust_credits_within_the_rules,
            flows::a_lost_callback_is_reconciled_through_the_order_status,
            flows::notifications_survive_a_mail_outage_and_are_delivered_once,
            flows::a_rejected_message_is_abandoned_not_retried,
            flows::a_dead_worker_holds_back_only_its_own_message_which_keeps_its_identity,
            flows::concurrent_duplicate_callbacks_grant_once,
            flows::a_full_refund_takes_the_package_back_with_a_credit_note,
            flows::a_partial_refund_keeps_the_package_until_everything_is_given_back,
            flows::before_settlement_a_full_refund_is_a_void_and_a_partial_one_waits,
            flows::what_the_gateway_cannot_do_is_refused_before_it_is_asked,
            flows::a_gateway_failure_is_recorded_and_moves_nothing,
            flows::an_authorised_payment_is_captured_in_part_and_invoiced_for_that,
            flows::concurrent_refunds_give_the_money_back_once,
            flows::refund_limits_add_up_per_payment_and_per_day,
            flows::refund_limits_are_per_currency,
            flows::concurrent_refunds_of_one_agent_never_pass_the_daily_limit,
            flows::give_backs_decided_on_the_same_daily_sum_are_recorded_once,
            flows::the_customers_mail_carries_the_invoice_and_a_reply_address_naming_them,
            flows::invoice_numbers_have_no_gaps_under_concurrent_and_declined_payments,
            flows::a_charged_but_refused_payment_is_voided_and_grants_nothing,
            flows::a_charged_grant_is_refunded_by_record_and_never_voided,
            flows::an_authorise_only_checkout_is_voided_when_left_uncaptured,
            flows::a_payment_action_left_requested_is_resolved_from_the_gateway,
            flows::a_refund_above_the_four_eyes_threshold_runs_once_when_another_agent_approves,
            flows::a_rejected_or_expired_approval_request_moves_nothing,
            flows::concurrent_approvals_run_the_give_back_once,
            flows::a_prorated_refund_above_the_four_eyes_threshold_waits_for_approval,
        );
    };
    (@cases $fresh_store:expr; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some((store, _guard)) = $fresh_store.await else {
                    return;
                };
                $crate::contract::$module::$case(store).await;
            }
        )*
    };
}
