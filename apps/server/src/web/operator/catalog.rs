//! Departments and packages: lists, and forms that save through [`crate::api::catalog`].

use askama::Template;
use kasa_domain::{
    Currency, Department, DepartmentId, Package, PackageId, PackageKind, Permission,
};
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Response, handler};

use super::{DoneQuery, Fields, Refusal};
use crate::api::MoneyBody;
use crate::api::catalog::{
    DepartmentInput, PackageBody, PackageDescriptionBody, PackageInput, PackageKindBody,
    save_department, save_package,
};
use crate::app::App;
use crate::problem::store_error;
use crate::web::session::Staff;
use crate::web::{Chrome, render, see_other};

/// The departments page: the list and a form for a new one.
#[derive(Template)]
#[template(path = "console/operator/departments.html")]
struct DepartmentsPage {
    c: Chrome,
    departments: Vec<Department>,
    form: DepartmentForm,
    refusal: Refusal,
}

/// One department's page: its form.
#[derive(Template)]
#[template(path = "console/operator/department.html")]
struct DepartmentPage {
    c: Chrome,
    id: String,
    form: DepartmentForm,
    refusal: Refusal,
}

/// A department's form as typed.
#[derive(Debug, Default)]
struct DepartmentForm {
    name: String,
    credits_per_request: String,
    reason: String,
}

impl DepartmentForm {
    fn of(department: &Department) -> Self {
        Self {
            name: department.name.clone(),
            credits_per_request: department.credits_per_request.get().to_string(),
            reason: String::new(),
        }
    }

    fn posted(fields: &Fields) -> Self {
        Self {
            name: fields.text("name"),
            credits_per_request: fields.text("credits_per_request"),
            reason: fields.text("reason"),
        }
    }

    /// The API's input, or the field the form finds wrong.
    fn input(&self, chrome: &Chrome) -> Result<DepartmentInput, Refusal> {
        let credits_per_request = self
            .credits_per_request
            .parse()
            .map_err(|_| Refusal::field(&chrome.locale, "credits_per_request"))?;
        Ok(DepartmentInput {
            name: self.name.clone(),
            credits_per_request,
            reason: self.reason.clone(),
        })
    }
}

/// `GET /console/departments`.
#[handler]
pub async fn departments_list(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    let c = match catalog_chrome(
        &staff,
        "departments",
        "/console/departments".to_owned(),
        &query,
    ) {
        Ok(c) => c,
        Err(page) => return page,
    };
    departments_page(&app, &staff, c, DepartmentForm::default(), Refusal::none()).await
}

async fn departments_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    form: DepartmentForm,
    refusal: Refusal,
) -> Response {
    let departments = match app.store.departments().await {
        Ok(departments) => departments,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    let status = refusal.status();
    render(
        status,
        &DepartmentsPage {
            c,
            departments,
            form,
            refusal,
        },
    )
}

/// `POST /console/departments`: creates a department.
#[handler]
pub async fn create_department(app: Data<&App>, staff: Staff, fields: Fields) -> Response {
    if let Err(page) = staff.check_form(&fields.text("csrf")) {
        return page;
    }
    let c = staff.chrome_for("departments", "/console/departments".to_owned());
    let form = DepartmentForm::posted(&fields);
    let saved = match form.input(&c) {
        Ok(input) => save_department(&app, &staff.caller, None, &input)
            .await
            .map_err(|error| Refusal::of(&c, &error)),
        Err(refusal) => Err(refusal),
    };
    match saved {
        Ok(_) => see_other("/console/departments?done=department-created"),
        Err(refusal) => departments_page(&app, &staff, c, form, refusal).await,
    }
}

/// `GET /console/departments/{id}`.
#[handler]
pub async fn department_edit(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    query: Query<DoneQuery>,
) -> Response {
    let here = format!("/console/departments/{}", id.0);
    let c = match catalog_chrome(&staff, "departments", here, &query) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let Some(department_id) = parse::<DepartmentId>(&id) else {
        return staff.message_page(StatusCode::NOT_FOUND, "common.not-found");
    };
    let department = match app.store.department(department_id).await {
        Ok(department) => department,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    render(
        StatusCode::OK,
        &DepartmentPage {
            c,
            id: id.0,
            form: DepartmentForm::of(&department),
            refusal: Refusal::none(),
        },
    )
}

/// `POST /console/departments/{id}`: changes a department's name or price.
#[handler]
pub async fn update_department(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    fields: Fields,
) -> Response {
    if let Err(page) = staff.check_form(&fields.text("csrf")) {
        return page;
    }
    let Some(department_id) = parse::<DepartmentId>(&id) else {
        return staff.message_page(StatusCode::NOT_FOUND, "common.not-found");
    };
    let here = format!("/console/departments/{}", id.0);
    let c = staff.chrome_for("departments", here.clone());
    let form = DepartmentForm::posted(&fields);
    let saved = match form.input(&c) {
        Ok(input) => save_department(&app, &staff.caller, Some(department_id), &input)
            .await
            .map_err(|error| Refusal::of(&c, &error)),
        Err(refusal) => Err(refusal),
    };
    match saved {
        Ok(_) => see_other(&format!("{here}?done=saved")),
        Err(refusal) => render(
            refusal.status(),
            &DepartmentPage {
                c,
                id: id.0,
                form,
                refusal,
            },
        ),
    }
}

fn parse<T: From<uuid::Uuid>>(text: &str) -> Option<T> {
    text.parse::<uuid::Uuid>().ok().map(T::from)
}

/// The frame of a catalogue page at `here` in menu `section`, with the notice a redirect
/// reported, for a reader who may manage the catalogue.
fn catalog_chrome(
    staff: &Staff,
    section: &'static str,
    here: String,
    query: &Query<DoneQuery>,
) -> Result<Chrome, Response> {
    staff.require(Permission::ManageCatalog)?;
    let mut c = staff.chrome_for(section, here);
    c.notice = DoneQuery::notice(query, &c);
    Ok(c)
}

/// The packages page: every package, on sale or not.
#[derive(Template)]
#[template(path = "console/operator/packages.html")]
struct PackagesPage {
    c: Chrome,
    packages: Vec<PackageRow>,
}

/// One package as the list shows it.
struct PackageRow {
    id: String,
    name: String,
    kind: &'static str,
    size: String,
    price: String,
    departments: String,
    on_sale: bool,
}

/// `GET /console/packages`.
#[handler]
pub async fn packages_list(app: Data<&App>, staff: Staff, query: Query<DoneQuery>) -> Response {
    let c = match catalog_chrome(&staff, "packages", "/console/packages".to_owned(), &query) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let (packages, departments) = match (app.store.packages().await, app.store.departments().await)
    {
        (Ok(packages), Ok(departments)) => (packages, departments),
        (Err(error), _) | (_, Err(error)) => return staff.refusal_page(&store_error(error)),
    };
    let packages = packages
        .iter()
        .map(|package| PackageRow {
            id: package.id.to_string(),
            name: package.name.clone(),
            kind: match package.kind {
                PackageKind::Credit { .. } => "operator.package.kind-credit",
                PackageKind::Subscription { .. } => "operator.package.kind-subscription",
            },
            size: match package.kind {
                PackageKind::Credit { credits } => c.fill(
                    "operator.package.size-credits",
                    &[("credits", &c.number(&credits.get()))],
                ),
                PackageKind::Subscription { days } => c.fill(
                    "operator.package.size-days",
                    &[("days", &c.number(&i64::from(days)))],
                ),
            },
            price: c.money(&package.price),
            departments: departments
                .iter()
                .filter(|department| package.covers(department.id))
                .map(|department| department.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            on_sale: package.on_sale,
        })
        .collect();
    render(StatusCode::OK, &PackagesPage { c, packages })
}

/// A package's page: the form to create or change it.
#[derive(Template)]
#[template(path = "console/operator/package.html")]
struct PackagePage {
    c: Chrome,
    /// The package's id; empty for a new one.
    id: String,
    form: PackageForm,
    departments: Vec<Department>,
    currencies: Vec<&'static str>,
    refusal: Refusal,
}

impl PackagePage {
    fn action(&self) -> String {
        if self.id.is_empty() {
            "/console/packages".to_owned()
        } else {
            format!("/console/packages/{}", self.id)
        }
    }

    fn covers(&self, department: &Department) -> bool {
        self.form
            .department_ids
            .contains(&department.id.to_string())
    }
}

/// A package's form as typed.
#[derive(Debug)]
struct PackageForm {
    name: String,
    kind: String,
    credits: String,
    days: String,
    department_ids: Vec<String>,
    price_amount: String,
    price_currency: String,
    on_sale: bool,
    description_tr: String,
    description_en: String,
    reason: String,
}

impl Default for PackageForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            kind: "credit".to_owned(),
            credits: String::new(),
            days: String::new(),
            department_ids: Vec::new(),
            price_amount: String::new(),
            price_currency: Currency::Try.alpha_code().to_owned(),
            on_sale: true,
            description_tr: String::new(),
            description_en: String::new(),
            reason: String::new(),
        }
    }
}

impl PackageForm {
    /// The form of a stored package: the API's body of it, as text boxes.
    fn of(package: &Package) -> Self {
        let body = PackageBody::from(package.clone());
        let number = |value: Option<i64>| value.map(|n| n.to_string()).unwrap_or_default();
        Self {
            name: body.name,
            kind: package.kind.label().to_owned(),
            credits: number(body.credits),
            days: number(body.days.map(i64::from)),
            department_ids: body.department_ids,
            price_amount: body.price.amount,
            price_currency: body.price.currency,
            on_sale: body.on_sale,
            description_tr: body.description.tr,
            description_en: body.description.en,
            reason: String::new(),
        }
    }

    fn posted(fields: &Fields) -> Self {
        Self {
            name: fields.text("name"),
            kind: fields.text("kind"),
            credits: fields.text("credits"),
            days: fields.text("days"),
            department_ids: fields.all("department_ids"),
            price_amount: fields.text("price"),
            price_currency: fields.text("currency"),
            on_sale: fields.ticked("on_sale"),
            description_tr: fields.text("description_tr"),
            description_en: fields.text("description_en"),
            reason: fields.text("reason"),
        }
    }

    /// The API's input (only the kind's own size is sent), or the field the form finds wrong.
    fn input(&self, chrome: &Chrome) -> Result<PackageInput, Refusal> {
        let number = |text: &str, field: &str| {
            text.parse::<i64>()
                .map_err(|_| Refusal::field(&chrome.locale, field))
        };
        let (kind, credits, days) = match self.kind.as_str() {
            "subscription" => {
                let days = number(&self.days, "days")?;
                let days =
                    u32::try_from(days).map_err(|_| Refusal::field(&chrome.locale, "days"))?;
                (PackageKindBody::Subscription, None, Some(days))
            }
            _ => (
                PackageKindBody::Credit,
                Some(number(&self.credits, "credits")?),
                None,
            ),
        };
        Ok(PackageInput {
            name: self.name.clone(),
            kind,
            credits,
            days,
            department_ids: self.department_ids.clone(),
            price: MoneyBody {
                amount: self.price_amount.clone(),
                currency: self.price_currency.clone(),
            },
            on_sale: self.on_sale,
            description: Some(PackageDescriptionBody {
                tr: self.description_tr.clone(),
                en: self.description_en.clone(),
            }),
            reason: self.reason.clone(),
        })
    }
}

async fn package_page(
    app: &App,
    staff: &Staff,
    c: Chrome,
    id: String,
    form: PackageForm,
    refusal: Refusal,
) -> Response {
    let departments = match app.store.departments().await {
        Ok(departments) => departments,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    render(
        refusal.status(),
        &PackagePage {
            c,
            id,
            form,
            departments,
            currencies: Currency::ALL
                .iter()
                .map(|currency| currency.alpha_code())
                .collect(),
            refusal,
        },
    )
}

/// `GET /console/packages/new`.
#[handler]
pub async fn new_package(app: Data<&App>, staff: Staff) -> Response {
    if let Err(page) = staff.require(Permission::ManageCatalog) {
        return page;
    }
    let c = staff.chrome_for("packages", "/console/packages/new".to_owned());
    package_page(
        &app,
        &staff,
        c,
        String::new(),
        PackageForm::default(),
        Refusal::none(),
    )
    .await
}

/// `POST /console/packages`: creates a package.
#[handler]
pub async fn create_package(app: Data<&App>, staff: Staff, fields: Fields) -> Response {
    post_package(&app, staff, None, &fields).await
}

/// `GET /console/packages/{id}`.
#[handler]
pub async fn package_edit(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    query: Query<DoneQuery>,
) -> Response {
    let here = format!("/console/packages/{}", id.0);
    let c = match catalog_chrome(&staff, "packages", here, &query) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let Some(package_id) = parse::<PackageId>(&id) else {
        return staff.message_page(StatusCode::NOT_FOUND, "common.not-found");
    };
    let package = match app.store.package(package_id).await {
        Ok(package) => package,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    package_page(
        &app,
        &staff,
        c,
        id.0,
        PackageForm::of(&package),
        Refusal::none(),
    )
    .await
}

/// `POST /console/packages/{id}`: changes a package.
#[handler]
pub async fn update_package(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    fields: Fields,
) -> Response {
    let Some(package_id) = parse::<PackageId>(&id) else {
        return staff.message_page(StatusCode::NOT_FOUND, "common.not-found");
    };
    post_package(&app, staff, Some(package_id), &fields).await
}

async fn post_package(
    app: &App,
    staff: Staff,
    package_id: Option<PackageId>,
    fields: &Fields,
) -> Response {
    if let Err(page) = staff.check_form(&fields.text("csrf")) {
        return page;
    }
    let id = package_id.map(|id| id.to_string()).unwrap_or_default();
    let here = if id.is_empty() {
        "/console/packages/new".to_owned()
    } else {
        format!("/console/packages/{id}")
    };
    let c = staff.chrome_for("packages", here);
    let form = PackageForm::posted(fields);
    let saved = match form.input(&c) {
        Ok(input) => save_package(app, &staff.caller, package_id, &input)
            .await
            .map_err(|error| Refusal::of(&c, &error)),
        Err(refusal) => Err(refusal),
    };
    match saved {
        Ok(package) if package_id.is_none() => see_other(&format!(
            "/console/packages?done=package-created#package-{}",
            package.id
        )),
        Ok(package) => see_other(&format!("/console/packages/{}?done=saved", package.id)),
        Err(refusal) => package_page(app, &staff, c, id, form, refusal).await,
    }
}
