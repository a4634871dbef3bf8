//! Departments and their price per request (product rule 1).

use serde::{Deserialize, Serialize};

use crate::{Credits, DepartmentId};

/// A help-desk department (sales, technical support, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Its id.
    pub id: DepartmentId,
    /// Display name.
    pub name: String,
    /// What opening one ticket or chat costs in credits; zero means free (rule 1).
    pub credits_per_request: Credits,
}

/// Why a department was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DepartmentError {
    /// Blank or overlong name.
    #[error("a department name is 1-100 characters")]
    InvalidName,
}

impl Department {
    /// Makes a department.
    ///
    /// # Errors
    /// [`DepartmentError::InvalidName`].
    pub fn new(
        id: DepartmentId,
        name: &str,
        credits_per_request: Credits,
    ) -> Result<Self, DepartmentError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(DepartmentError::InvalidName);
        }
        Ok(Self {
            id,
            name: name.to_owned(),
            credits_per_request,
        })
    }

    /// Whether tickets here cost nothing.
    #[must_use]
    pub const fn is_free(&self) -> bool {
        self.credits_per_request.is_zero()
    }
}
