//! The help-desk outbox as the in-memory store holds it.

use async_trait::async_trait;
use kasa_domain::HelpDeskCallId;
use kasa_ports::{
    ActionContext, AuditRecord, HelpDeskCall, HelpDeskCallQuery, HelpDeskCallStore, NEW_TICKET,
    NewHelpDeskCall, StoreError, new_id,
};
use time::OffsetDateTime;

use super::{MemoryStore, State};

const NOT_FOUND: StoreError = StoreError::NotFound {
    entity: kasa_ports::Entity::HelpDeskCall,
};

/// The call `id` if it is not done yet.
fn undone(state: &mut State, id: HelpDeskCallId) -> Result<&mut HelpDeskCall, StoreError> {
    state
        .help_desk_calls
        .get_mut(&id)
        .filter(|call| call.done_at.is_none())
        .ok_or(NOT_FOUND)
}

/// Now, in microseconds as the SQL stores keep it.
pub(super) fn queue_time() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

/// Queues `call` in the caller's transaction; `false` when its key was queued before.
pub(super) fn queue_call(
    state: &mut State,
    call: NewHelpDeskCall,
    queued_at: OffsetDateTime,
) -> Result<bool, StoreError> {
    if !HelpDeskCall::is_well_formed(&call) {
        return Err(StoreError::Corrupt(
            "a help-desk call needs a ticket (or one to open), a key, and something to do, none \
             blank"
                .to_owned(),
        ));
    }
    if !state.integrations.contains_key(&call.integration) {
        return Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Integration,
        });
    }
    if state
        .help_desk_calls
        .values()
        .any(|queued| queued.key == call.key)
    {
        return Ok(false);
    }
    let queued = HelpDeskCall::queued(new_id(), call, queued_at);
    state.help_desk_calls.insert(queued.id, queued);
    Ok(true)
}

#[async_trait]
impl HelpDeskCallStore for MemoryStore {
    async fn queue_help_desk_call(&self, call: NewHelpDeskCall) -> Result<bool, StoreError> {
        let queued_at = queue_time();
        self.transaction(|state| queue_call(state, call, queued_at))
    }

    async fn claim_due_help_desk_calls(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<HelpDeskCall>, StoreError> {
        self.transaction(|state| {
            let mut claimed = Vec::new();
            for call in state.help_desk_calls.values_mut() {
                if claimed.len() >= count as usize {
                    break;
                }
                let due = call.next_attempt_at.is_none_or(|at| at <= now);
                if call.done_at.is_none() && !call.abandoned && due {
                    call.next_attempt_at = Some(lease_until);
                    claimed.push(call.clone());
                }
            }
            Ok(claimed)
        })
    }

    async fn mark_help_desk_note_posted(
        &self,
        id: HelpDeskCallId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let call = state.help_desk_calls.get_mut(&id).ok_or(NOT_FOUND)?;
            if call.note_posted_at.is_some() {
                return Err(NOT_FOUND);
            }
            call.note_posted_at = Some(at);
            Ok(())
        })
    }

    async fn mark_help_desk_ticket_opened(
        &self,
        id: HelpDeskCallId,
        ticket: &str,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let call = state
                .help_desk_calls
                .get_mut(&id)
                .filter(|call| call.new_ticket.is_some() && call.ticket == NEW_TICKET)
                .ok_or(NOT_FOUND)?;
            ticket.clone_into(&mut call.ticket);
            Ok(())
        })
    }

    async fn mark_help_desk_call_done(
        &self,
        id: HelpDeskCallId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let call = undone(state, id)?;
            call.attempts += 1;
            call.done_at = Some(at);
            call.last_error = None;
            Ok(())
        })
    }

    async fn mark_help_desk_call_failed(
        &self,
        id: HelpDeskCallId,
        error: String,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            let call = undone(state, id)?;
            call.attempts += 1;
            call.last_error = Some(error);
            match retry_at {
                Some(retry_at) => call.next_attempt_at = Some(retry_at),
                None => call.abandoned = true,
            }
            Ok(())
        })
    }

    async fn retry_help_desk_call_now(
        &self,
        id: HelpDeskCallId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskCall, StoreError> {
        self.transaction(|state| {
            let call = undone(state, id)?;
            let before = call.clone();
            call.next_attempt_at = Some(at);
            call.abandoned = false;
            let after = call.clone();
            state.audit(
                AuditRecord::help_desk_call_retried(&before, &after),
                &context,
                at,
            );
            Ok(after)
        })
    }

    async fn help_desk_calls(
        &self,
        query: HelpDeskCallQuery,
    ) -> Result<Vec<HelpDeskCall>, StoreError> {
        self.read(|state| {
            Ok(state
                .help_desk_calls
                .values()
                .rev()
                .filter(|call| !query.undone_only || call.done_at.is_none())
                .take(query.limit as usize)
                .cloned()
                .collect())
        })
    }
}

#[async_trait]
impl kasa_ports::HelpDeskConnectionStore for MemoryStore {
    async fn save_help_desk_connection(
        &self,
        integration: kasa_domain::IntegrationId,
        connection: kasa_ports::HelpDeskConnection,
        secret: kasa_ports::Secret,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            if !state.integrations.contains_key(&integration) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Integration,
                });
            }
            let before = state
                .help_desk_connections
                .get(&integration)
                .map(|(before, _)| before.clone());
            state.audit(
                connection.audit_record(integration, before.as_ref()),
                &context,
                connection.updated_at,
            );
            state
                .help_desk_connections
                .insert(integration, (connection, secret));
            Ok(())
        })
    }

    async fn help_desk_connection(
        &self,
        integration: kasa_domain::IntegrationId,
    ) -> Result<Option<kasa_ports::HelpDeskConnection>, StoreError> {
        self.read(|state| {
            Ok(state
                .help_desk_connections
                .get(&integration)
                .map(|(connection, _)| connection.clone()))
        })
    }

    async fn help_desk_connection_with_secret(
        &self,
        integration: kasa_domain::IntegrationId,
    ) -> Result<(kasa_ports::HelpDeskConnection, kasa_ports::Secret), StoreError> {
        self.read(|state| {
            state
                .help_desk_connections
                .get(&integration)
                .cloned()
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::HelpDeskConnection,
                })
        })
    }
}
