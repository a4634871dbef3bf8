//! Four-eyes approval requests: recorded pending, claimed or rejected once, finished once.

use kasa_domain::{Actor, ApprovalRequestId, Currency, Money};
use kasa_ports::{
    ApprovalDecision, ApprovalRequest, ApprovalRequestState, FinishedApproval, NewApprovalRequest,
    StoreError,
};

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, label, opt_id, opt_text, text};
use crate::rows::{
    Connection, actor, execute, fetch_all, fetch_one, insert_audit, limit, read_purchase, reason,
};

const COLUMNS: &str = "SELECT id, purchase_id, action, amount, currency, state, \
    requested_by_kind, requested_by_id, reason, request_id, requested_at, expires_at, \
    decided_by_kind, decided_by_id, decision_reason, decided_at, payment_action_id, detail \
    FROM approval_requests";

fn approval_request(row: &Row<'_>) -> Result<ApprovalRequest, StoreError> {
    let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
    let decided_by = match (
        row.opt_text("decided_by_kind")?,
        row.opt_text("decided_by_id")?,
    ) {
        (Some(kind), Some(subject)) => Some(Actor::from_labels(&kind, &subject).map_err(corrupt)?),
        _ => None,
    };
    Ok(ApprovalRequest {
        id: row.id("id")?,
        purchase_id: row.id("purchase_id")?,
        action: row.label("action")?,
        amount: Money::new(row.amount("amount")?, currency).map_err(corrupt)?,
        state: row.label("state")?,
        requested_by: actor(row, "requested_by_kind", "requested_by_id")?,
        reason: reason(row, "reason")?,
        request_id: row.opt_text("request_id")?,
        requested_at: row.at("requested_at")?,
        expires_at: row.at("expires_at")?,
        decided_by,
        decision_reason: row
            .opt_text("decision_reason")?
            .map(kasa_domain::Reason::new)
            .transpose()
            .map_err(corrupt)?,
        decided_at: row.opt_at("decided_at")?,
        payment_action_id: row.opt_id("payment_action_id")?,
        detail: row.opt_text("detail")?,
    })
}

async fn read_request(
    connection: &impl Connection,
    codec: Codec,
    request_id: ApprovalRequestId,
) -> Result<ApprovalRequest, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(&format!("{COLUMNS} WHERE id = $1"), [id(request_id)]),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::ApprovalRequest,
    })?;
    approval_request(&codec.row(&row))
}

impl SqlStore {
    pub(crate) async fn insert_approval_request(
        &self,
        new: NewApprovalRequest,
    ) -> Result<ApprovalRequest, StoreError> {
        self.in_transaction(async |tx, codec| {
            let request = &new.request;
            read_purchase(tx, codec, request.purchase_id).await?;
            execute(
                tx,
                codec.statement(
                    "INSERT INTO approval_requests (id, purchase_id, action, amount, currency, \
                     state, requested_by_kind, requested_by_id, reason, request_id, \
                     requested_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11)",
                    [
                        id(request.id),
                        id(request.purchase_id),
                        text(label(&request.action)),
                        codec.amount(request.amount.amount()),
                        text(request.amount.currency().alpha_code()),
                        text(request.requested_by.kind_label()),
                        text(request.requested_by.subject_label()),
                        text(request.reason.as_str()),
                        opt_text(request.request_id.clone()),
                        codec.at(request.requested_at),
                        codec.at(request.expires_at),
                    ],
                ),
            )
            .await?;
            insert_audit(tx, codec, &new.audit, &new.context, request.requested_at).await?;
            read_request(tx, codec, request.id).await
        })
        .await
    }

    pub(crate) async fn read_approval_request(
        &self,
        request_id: ApprovalRequestId,
    ) -> Result<ApprovalRequest, StoreError> {
        read_request(&self.db, self.codec, request_id).await
    }

    pub(crate) async fn list_approval_requests(
        &self,
        state: Option<ApprovalRequestState>,
        count: u32,
    ) -> Result<Vec<ApprovalRequest>, StoreError> {
        let codec = self.codec;
        let statement = match state {
            Some(state) => codec.statement(
                &format!("{COLUMNS} WHERE state = $1 ORDER BY requested_at DESC, id DESC LIMIT $2"),
                [text(label(&state)), limit(count)],
            ),
            None => codec.statement(
                &format!("{COLUMNS} ORDER BY requested_at DESC, id DESC LIMIT $1"),
                [limit(count)],
            ),
        };
        fetch_all(&self.db, statement)
            .await?
            .iter()
            .map(|row| approval_request(&codec.row(row)))
            .collect()
    }

    pub(crate) async fn decide_request(
        &self,
        decision: ApprovalDecision,
    ) -> Result<ApprovalRequest, StoreError> {
        self.in_transaction(async |tx, codec| {
            let context = &decision.context;
            // One statement claims it: of two deciders at once, one changes the row.
            let changed = execute(
                tx,
                codec.statement(
                    "UPDATE approval_requests SET state = $2, decided_by_kind = $3, \
                     decided_by_id = $4, decision_reason = $5, decided_at = $6 \
                     WHERE id = $1 AND state = 'pending' AND expires_at > $6",
                    [
                        id(decision.id),
                        text(label(&decision.state)),
                        text(context.actor.kind_label()),
                        text(context.actor.subject_label()),
                        text(context.reason.as_str()),
                        codec.at(decision.at),
                    ],
                ),
            )
            .await?;
            if changed == 0 {
                read_request(tx, codec, decision.id).await?;
                return Err(StoreError::StaleVersion);
            }
            if let Some(audit) = &decision.audit {
                insert_audit(tx, codec, audit, context, decision.at).await?;
            }
            read_request(tx, codec, decision.id).await
        })
        .await
    }

    pub(crate) async fn finish_request(
        &self,
        finished: FinishedApproval,
    ) -> Result<ApprovalRequest, StoreError> {
        self.in_transaction(async |tx, codec| {
            let changed = execute(
                tx,
                codec.statement(
                    "UPDATE approval_requests SET state = $2, payment_action_id = $3, \
                     detail = $4 WHERE id = $1 AND state = 'approving'",
                    [
                        id(finished.id),
                        text(label(&finished.state)),
                        opt_id(finished.payment_action_id),
                        opt_text(finished.detail.clone()),
                    ],
                ),
            )
            .await?;
            if changed == 0 {
                read_request(tx, codec, finished.id).await?;
                return Err(StoreError::StaleVersion);
            }
            insert_audit(tx, codec, &finished.audit, &finished.context, finished.at).await?;
            read_request(tx, codec, finished.id).await
        })
        .await
    }
}
