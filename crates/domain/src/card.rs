//! The customer card's departments (product rule 8): a department is usable when it is enabled on
//! the card. Each enabled department remembers why: an operator enabled it by hand, and/or one or
//! more purchases enabled it. When a purchase ends, it gives up its claim; the department is
//! disabled only when no claim is left.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{DepartmentId, PurchaseId};

/// Why one department is enabled on one card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentEnablement {
    /// An operator enabled it by hand; it stays whatever happens to packages.
    pub by_operator: bool,
    /// The purchases whose package enabled it.
    pub by_purchases: BTreeSet<PurchaseId>,
}

impl DepartmentEnablement {
    fn is_empty(&self) -> bool {
        !self.by_operator && self.by_purchases.is_empty()
    }
}

/// The departments enabled on a customer's card, each with its origins.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCard {
    enabled: BTreeMap<DepartmentId, DepartmentEnablement>,
}

impl CustomerCard {
    /// An empty card: nothing enabled.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a card from stored enablements; entries without any origin are dropped.
    #[must_use]
    pub fn from_enablements(
        enablements: impl IntoIterator<Item = (DepartmentId, DepartmentEnablement)>,
    ) -> Self {
        let enabled = enablements
            .into_iter()
            .filter(|(_, enablement)| !enablement.is_empty())
            .collect();
        Self { enabled }
    }

    /// Whether the customer may use `department`.
    #[must_use]
    pub fn is_enabled(&self, department: DepartmentId) -> bool {
        self.enabled.contains_key(&department)
    }

    /// The origins of one enabled department.
    #[must_use]
    pub fn enablement(&self, department: DepartmentId) -> Option<&DepartmentEnablement> {
        self.enabled.get(&department)
    }

    /// Every enabled department with its origins, in id order.
    pub fn enablements(&self) -> impl Iterator<Item = (DepartmentId, &DepartmentEnablement)> {
        self.enabled
            .iter()
            .map(|(department, enablement)| (*department, enablement))
    }

    /// The enabled departments.
    #[must_use]
    pub fn enabled_departments(&self) -> BTreeSet<DepartmentId> {
        self.enabled.keys().copied().collect()
    }

    /// An operator enables a department by hand; it then survives the end of any package.
    pub fn enable_by_operator(&mut self, department: DepartmentId) {
        self.enabled.entry(department).or_default().by_operator = true;
    }

    /// An operator disables a department by hand: it is unusable at once, whatever enabled it.
    /// A later purchase of a package covering it enables it again.
    pub fn disable_by_operator(&mut self, department: DepartmentId) {
        self.enabled.remove(&department);
    }

    /// A purchase enables its package's departments (rule 8, "enabled by purchase").
    pub fn enable_by_purchase(
        &mut self,
        purchase: PurchaseId,
        departments: impl IntoIterator<Item = DepartmentId>,
    ) {
        for department in departments {
            self.enabled
                .entry(department)
                .or_default()
                .by_purchases
                .insert(purchase);
        }
    }

    /// A purchase's package ended (expiry, forfeiture, full refund): its claims go, and every
    /// department left without a claim is disabled. Returns the departments that were disabled.
    pub fn release_purchase(&mut self, purchase: PurchaseId) -> BTreeSet<DepartmentId> {
        let mut disabled = BTreeSet::new();
        self.enabled.retain(|department, enablement| {
            enablement.by_purchases.remove(&purchase);
            let keep = !enablement.is_empty();
            if !keep {
                disabled.insert(*department);
            }
            keep
        });
        disabled
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn department(n: u128) -> DepartmentId {
        DepartmentId::from_uuid(Uuid::from_u128(n))
    }

    fn purchase(n: u128) -> PurchaseId {
        PurchaseId::from_uuid(Uuid::from_u128(1000 + n))
    }

    #[test]
    fn a_purchase_enables_and_its_end_disables_only_what_it_alone_enabled() {
        let (sales, support, billing) = (department(1), department(2), department(3));
        let mut card = CustomerCard::new();
        card.enable_by_operator(sales);
        card.enable_by_purchase(purchase(1), [sales, support, billing]);
        card.enable_by_purchase(purchase(2), [billing]);

        let disabled = card.release_purchase(purchase(1));

        assert_eq!(disabled, BTreeSet::from([support]));
        assert!(card.is_enabled(sales), "enabled by hand stays");
        assert!(
            card.is_enabled(billing),
            "still claimed by the second purchase"
        );
        assert!(!card.is_enabled(support));
        assert_eq!(
            card.release_purchase(purchase(2)),
            BTreeSet::from([billing])
        );
        assert_eq!(card.enabled_departments(), BTreeSet::from([sales]));
    }

    #[test]
    fn an_operator_can_disable_a_department_a_purchase_enabled() {
        let mut card = CustomerCard::new();
        card.enable_by_purchase(purchase(1), [department(1)]);
        card.disable_by_operator(department(1));
        assert!(!card.is_enabled(department(1)));
        assert!(card.release_purchase(purchase(1)).is_empty());
    }

    #[test]
    fn releasing_an_unknown_purchase_changes_nothing() {
        let mut card = CustomerCard::new();
        card.enable_by_purchase(purchase(1), [department(1)]);
        let before = card.clone();
        assert!(card.release_purchase(purchase(9)).is_empty());
        assert_eq!(card, before);
    }
}
