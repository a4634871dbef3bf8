//! Departments and packages.

use crate::api::problems::package_error;
use std::collections::BTreeSet;

use kasa_domain::{
    Credits, Department, DepartmentId, Package, PackageDescription, PackageId, PackageKind,
    Permission,
};
use kasa_ports::new_id;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use super::{MoneyBody, Tag, parse_id};
use poem::web::Data;

use crate::app::App;
use crate::auth::{Bearer, Caller};
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
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000000")))]
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
    /// What it is, for customers, in Turkish and in English.
    pub description: PackageDescriptionBody,
}

/// A package's description for customers (each language at most 2000 characters; empty for
/// none). A customer reads it in their language, else in the other.
#[derive(Clone, Debug, Default, Object)]
pub struct PackageDescriptionBody {
    /// In Turkish.
    #[oai(default)]
    pub tr: String,
    /// In English.
    #[oai(default)]
    pub en: String,
}

impl From<PackageDescription> for PackageDescriptionBody {
    fn from(description: PackageDescription) -> Self {
        Self {
            tr: description.tr,
            en: description.en,
        }
    }
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
            description: package.description.into(),
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
    /// What it is, for customers; left out, a new package has none and a changed one keeps
    /// its own.
    pub description: Option<PackageDescriptionBody>,
    /// Why (audit log).
    pub reason: String,
}

impl PackageInput {
    /// The package this input describes, `before` (a changed package as stored) giving the
    /// description when the input leaves it out; each refusal names its field.
    fn package(&self, id: PackageId, before: Option<&Package>) -> Result<Package, ApiError> {
        let kind = match (self.kind, self.credits, self.days) {
            (PackageKindBody::Credit, Some(credits), None) if credits > super::MAX_CREDITS => {
                return Err(ApiError::invalid(format!(
                    "a credit package grants at most {} credits",
                    super::MAX_CREDITS
                ))
                .on_field("credits"));
            }
            (PackageKindBody::Credit, Some(credits), None) => PackageKind::Credit {
                credits: Credits::new(credits).map_err(|error| {
                    ApiError::invalid(format!("credits: {error}")).on_field("credits")
                })?,
            },
            (PackageKindBody::Subscription, None, Some(days)) => PackageKind::Subscription { days },
            (PackageKindBody::Credit, _, _) => {
                return Err(
                    ApiError::invalid("a credit package has `credits` and no `days`")
                        .on_field("credits"),
                );
            }
            (PackageKindBody::Subscription, _, _) => {
                return Err(ApiError::invalid(
                    "a subscription package has `days` and no `credits`",
                )
                .on_field("days"));
            }
        };
        let departments = self
            .department_ids
            .iter()
            .map(|text| parse_id::<DepartmentId>(text, "department"))
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(|error| error.on_field("department_ids"))?;
        let price = self
            .price
            .money()
            .map_err(|error| error.on_field("price"))?;
        let description = match (&self.description, before) {
            (Some(body), _) => {
                PackageDescription::new(&body.tr, &body.en).map_err(package_error)?
            }
            (None, Some(before)) => before.description.clone(),
            (None, None) => PackageDescription::default(),
        };
        Package::new(id, &self.name, kind, departments, price, self.on_sale)
            .map(|package| package.with_description(description))
            .map_err(package_error)
    }
}

/// Creates a department (`id` none) or changes one, as `POST /v1/departments` and
/// `PUT /v1/departments/{id}` do.
///
/// # Errors
/// The caller may not manage the catalogue, no reason, an invalid field (named), a taken name,
/// no such department.
pub(crate) async fn save_department(
    app: &App,
    caller: &Caller,
    id: Option<DepartmentId>,
    input: &DepartmentInput,
) -> Result<Department, ApiError> {
    caller.require(Permission::ManageCatalog)?;
    let context = caller.context(&input.reason)?;
    let id = match id {
        Some(id) => app.store.department(id).await.map_err(store_error)?.id,
        None => new_id(),
    };
    if input.credits_per_request > super::MAX_CREDITS {
        return Err(ApiError::invalid(format!(
            "a department costs at most {} credits per request",
            super::MAX_CREDITS
        ))
        .on_field("credits_per_request"));
    }
    let price = Credits::new(input.credits_per_request).map_err(|error| {
        ApiError::invalid(format!("credits_per_request: {error}")).on_field("credits_per_request")
    })?;
    let department = Department::new(id, &input.name, price)
        .map_err(|error| ApiError::invalid(error.to_string()).on_field("name"))?;
    app.store
        .save_department(department.clone(), context, app.clock.now())
        .await
        .map_err(store_error)?;
    Ok(department)
}

/// Creates a package (`id` none) or changes one, as `POST /v1/packages` and
/// `PUT /v1/packages/{id}` do.
///
/// # Errors
/// The caller may not manage the catalogue, no reason, an invalid field (named), no such
/// package or department.
pub(crate) async fn save_package(
    app: &App,
    caller: &Caller,
    id: Option<PackageId>,
    input: &PackageInput,
) -> Result<Package, ApiError> {
    caller.require(Permission::ManageCatalog)?;
    let context = caller.context(&input.reason)?;
    let before = match id {
        Some(id) => Some(app.store.package(id).await.map_err(store_error)?),
        None => None,
    };
    let id = before.as_ref().map_or_else(new_id, |package| package.id);
    let package = input.package(id, before.as_ref())?;
    app.store
        .save_package(package.clone(), context, app.clock.now())
        .await
        .map_err(store_error)?;
    Ok(package)
}

/// Departments and packages.
#[derive(Debug)]
pub struct CatalogApi;

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
        save_department(&app, &auth.0, None, &body)
            .await
            .map(|department| Json(department.into()))
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
        save_department(&app, &auth.0, Some(department_id), &body)
            .await
            .map(|department| Json(department.into()))
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
        save_package(&app, &auth.0, None, &body)
            .await
            .map(|package| Json(package.into()))
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
        save_package(&app, &auth.0, Some(package_id), &body)
            .await
            .map(|package| Json(package.into()))
    }
}
