//! Departments and packages.

use std::collections::BTreeSet;

use kasa_domain::{Credits, Department, DepartmentId, Package, PackageId, PackageKind, Permission};
use kasa_ports::new_id;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use super::{MoneyBody, Tag, parse_id};
use poem::web::Data;

use crate::app::App;
use crate::auth::Bearer;
use crate::problem::{ApiError, store_error};

/// A department and its price per ticket or chat.
#[derive(Debug, Object)]
pub struct DepartmentBody {
    /// Its id.
    pub id: String,
    /// Its name (unique).
    pub name: String,
    /// Credits one ticket or chat costs; 0 is free.
    pub credits_per_request: i64,
}

impl From<Department> for DepartmentBody {
    fn from(department: Department) -> Self {
        Self {
            id: department.id.to_string(),
            name: department.name,
            credits_per_request: department.credits_per_request.get(),
        }
    }
}

/// A department to create or change.
#[derive(Debug, Object)]
pub struct DepartmentInput {
    /// Its name, 1-100 characters, unique.
    pub name: String,
    /// Credits one ticket or chat costs; 0 is free.
    #[oai(validator(minimum(value = "0")))]
    pub credits_per_request: i64,
    /// Why (audit log).
    pub reason: String,
}

/// The kind of package.
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum PackageKindBody {
    /// N credits.
    Credit,
    /// N days of access.
    Subscription,
}

/// A billing package.
#[derive(Debug, Object)]
pub struct PackageBody {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Credit or subscription.
    pub kind: PackageKindBody,
    /// Credits granted (credit packages).
    pub credits: Option<i64>,
    /// Days of access (subscription packages).
    pub days: Option<u32>,
    /// The departments it covers.
    pub department_ids: Vec<String>,
    /// The price.
    pub price: MoneyBody,
    /// Whether customers can buy it.
    pub on_sale: bool,
}

impl From<Package> for PackageBody {
    fn from(package: Package) -> Self {
        let (kind, credits, days) = match package.kind {
            PackageKind::Credit { credits } => (PackageKindBody::Credit, Some(credits.get()), None),
            PackageKind::Subscription { days } => (PackageKindBody::Subscription, None, Some(days)),
        };
        Self {
            id: package.id.to_string(),
            name: package.name,
            kind,
            credits,
            days,
            department_ids: package
                .departments
                .iter()
                .map(ToString::to_string)
                .collect(),
            price: package.price.into(),
            on_sale: package.on_sale,
        }
    }
}

/// A package to create or change.
#[derive(Debug, Object)]
pub struct PackageInput {
    /// Its name, 1-200 characters.
    pub name: String,
    /// Credit or subscription.
    pub kind: PackageKindBody,
    /// Credits granted (credit packages, more than 0).
    pub credits: Option<i64>,
    /// Days of access (subscription packages, 1-3660).
    pub days: Option<u32>,
    /// The departments it covers (at least one).
    pub department_ids: Vec<String>,
    /// The price.
    pub price: MoneyBody,
    /// Whether customers can buy it now.
    pub on_sale: bool,
    /// Why (audit log).
    pub reason: String,
}

impl PackageInput {
    fn package(&self, id: PackageId) -> Result<Package, ApiError> {
        let kind = match (self.kind, self.credits, self.days) {
            (PackageKindBody::Credit, Some(credits), None) if credits > super::MAX_CREDITS => {
                return Err(ApiError::invalid(format!(
                    "a credit package grants at most {} credits",
                    super::MAX_CREDITS
                )));
            }
            (PackageKindBody::Credit, Some(credits), None) => PackageKind::Credit {
                credits: Credits::new(credits)
                    .map_err(|error| ApiError::invalid(format!("credits: {error}")))?,
            },
            (PackageKindBody::Subscription, None, Some(days)) => PackageKind::Subscription { days },
            (PackageKindBody::Credit, _, _) => {
                return Err(ApiError::invalid(
                    "a credit package has `credits` and no `days`",
                ));
            }
            (PackageKindBody::Subscription, _, _) => {
                return Err(ApiError::invalid(
                    "a subscription package has `days` and no `credits`",
                ));
            }
        };
        let departments = self
            .department_ids
            .iter()
            .map(|text| parse_id::<DepartmentId>(text, "department"))
            .collect::<Result<BTreeSet<_>, _>>()?;
        Package::new(
            id,
            &self.name,
            kind,
            departments,
            self.price.money()?,
            self.on_sale,
        )
        .map_err(|error| ApiError::invalid(error.to_string()))
    }
}

/// Departments and packages.
#[derive(Debug)]
pub struct CatalogApi;

impl CatalogApi {
    async fn save_department(
        app: &App,
        auth: &Bearer,
        id: DepartmentId,
        input: &DepartmentInput,
    ) -> Result<Json<DepartmentBody>, ApiError> {
        auth.0.require(Permission::ManageCatalog)?;
        let context = auth.0.context(&input.reason)?;
        if input.credits_per_request > super::MAX_CREDITS {
            return Err(ApiError::invalid(format!(
                "a department costs at most {} credits per request",
                super::MAX_CREDITS
            )));
        }
        let price = Credits::new(input.credits_per_request)
            .map_err(|error| ApiError::invalid(format!("credits_per_request: {error}")))?;
        let department = Department::new(id, &input.name, price)
            .map_err(|error| ApiError::invalid(error.to_string()))?;
        app.store
            .save_department(department.clone(), context, app.clock.now())
            .await
            .map_err(store_error)?;
        Ok(Json(department.into()))
    }

    async fn save_package(
        app: &App,
        auth: &Bearer,
        id: PackageId,
        input: &PackageInput,
    ) -> Result<Json<PackageBody>, ApiError> {
        auth.0.require(Permission::ManageCatalog)?;
        let context = auth.0.context(&input.reason)?;
        let package = input.package(id)?;
        app.store
            .save_package(package.clone(), context, app.clock.now())
            .await
            .map_err(store_error)?;
        Ok(Json(package.into()))
    }
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Catalog")]
impl CatalogApi {
    /// Every department, by name.
    #[oai(
        path = "/departments",
        method = "get",
        operation_id = "list_departments"
    )]
    async fn departments(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<DepartmentBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let departments = app.store.departments().await.map_err(store_error)?;
        Ok(Json(
            departments.into_iter().map(DepartmentBody::from).collect(),
        ))
    }

    /// Creates a department.
    #[oai(
        path = "/departments",
        method = "post",
        operation_id = "create_department"
    )]
    async fn create_department(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<DepartmentInput>,
    ) -> Result<Json<DepartmentBody>, ApiError> {
        Self::save_department(app.0, &auth, new_id(), &body).await
    }

    /// Changes a department's name or price.
    #[oai(
        path = "/departments/:id",
        method = "put",
        operation_id = "update_department"
    )]
    async fn update_department(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<DepartmentInput>,
    ) -> Result<Json<DepartmentBody>, ApiError> {
        auth.0.require(Permission::ManageCatalog)?;
        let department_id: DepartmentId = parse_id(&id, "department")?;
        app.store
            .department(department_id)
            .await
            .map_err(store_error)?;
        Self::save_department(app.0, &auth, department_id, &body).await
    }

    /// Every package, on sale or not, by name.
    #[oai(path = "/packages", method = "get", operation_id = "list_packages")]
    async fn packages(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<PackageBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let packages = app.store.packages().await.map_err(store_error)?;
        Ok(Json(packages.into_iter().map(PackageBody::from).collect()))
    }

    /// Creates a package.
    #[oai(path = "/packages", method = "post", operation_id = "create_package")]
    async fn create_package(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<PackageInput>,
    ) -> Result<Json<PackageBody>, ApiError> {
        Self::save_package(app.0, &auth, new_id(), &body).await
    }

    /// Changes a package (take it off sale with `on_sale: false`); purchases keep the package
    /// as it was when bought.
    #[oai(
        path = "/packages/:id",
        method = "put",
        operation_id = "update_package"
    )]
    async fn update_package(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<PackageInput>,
    ) -> Result<Json<PackageBody>, ApiError> {
        auth.0.require(Permission::ManageCatalog)?;
        let package_id: PackageId = parse_id(&id, "package")?;
        app.store.package(package_id).await.map_err(store_error)?;
        Self::save_package(app.0, &auth, package_id, &body).await
    }
}
