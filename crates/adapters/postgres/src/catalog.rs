//! Departments and packages.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use kasa_domain::{
    Credits, Currency, Department, DepartmentId, Money, Package, PackageDescription, PackageId,
    PackageKind,
};
use kasa_ports::{ActionContext, AuditRecord, CatalogStore, StoreError};
use sea_orm::Value;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, corrupt, id, text};
use crate::rows::{Connection, execute, execute_unique, fetch_all, fetch_one, insert_audit};

async fn read_departments(
    connection: &impl Connection,
    codec: Codec,
    only: Option<DepartmentId>,
) -> Result<Vec<Department>, StoreError> {
    let statement = match only {
        Some(department_id) => codec.statement(
            "SELECT id, name, credits_per_request FROM departments WHERE id = $1",
            [id(department_id)],
        ),
        None => codec.statement(
            "SELECT id, name, credits_per_request FROM departments ORDER BY name",
            [],
        ),
    };
    let mut departments = fetch_all(connection, statement)
        .await?
        .iter()
        .map(|row| {
            let row = codec.row(row);
            let credits = Credits::new(row.int("credits_per_request")?).map_err(corrupt)?;
            Department::new(row.id("id")?, &row.text("name")?, credits).map_err(corrupt)
        })
        .collect::<Result<Vec<_>, _>>()?;
    // By name in code point order on both databases (PostgreSQL's collation would differ).
    departments.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(departments)
}

async fn read_packages(
    connection: &impl Connection,
    codec: Codec,
    only: Option<PackageId>,
) -> Result<Vec<Package>, StoreError> {
    const COLUMNS: &str = "SELECT id, name, kind, credits, days, price_amount, price_currency, \
        on_sale, description_tr, description_en FROM packages";
    let (packages, departments) = match only {
        Some(package_id) => (
            codec.statement(&format!("{COLUMNS} WHERE id = $1"), [id(package_id)]),
            codec.statement(
                "SELECT package_id, department_id FROM package_departments WHERE package_id = $1",
                [id(package_id)],
            ),
        ),
        None => (
            codec.statement(&format!("{COLUMNS} ORDER BY name, id"), []),
            codec.statement(
                "SELECT package_id, department_id FROM package_departments",
                [],
            ),
        ),
    };
    let mut covered: BTreeMap<PackageId, BTreeSet<DepartmentId>> = BTreeMap::new();
    for row in fetch_all(connection, departments).await? {
        let row = codec.row(&row);
        covered
            .entry(row.id("package_id")?)
            .or_default()
            .insert(row.id("department_id")?);
    }
    let mut packages = fetch_all(connection, packages)
        .await?
        .iter()
        .map(|row| {
            let row = codec.row(row);
            let package_id: PackageId = row.id("id")?;
            let kind = match row.text("kind")?.as_str() {
                "credit" => PackageKind::Credit {
                    credits: Credits::new(row.opt_int("credits")?.unwrap_or_default())
                        .map_err(corrupt)?,
                },
                _ => PackageKind::Subscription {
                    days: u32::try_from(row.opt_int("days")?.unwrap_or_default())
                        .map_err(corrupt)?,
                },
            };
            let currency: Currency = row.text("price_currency")?.parse().map_err(corrupt)?;
            let price = Money::new(row.amount("price_amount")?, currency).map_err(corrupt)?;
            let description =
                PackageDescription::new(&row.text("description_tr")?, &row.text("description_en")?)
                    .map_err(corrupt)?;
            Package::new(
                package_id,
                &row.text("name")?,
                kind,
                covered.remove(&package_id).unwrap_or_default(),
                price,
                row.flag("on_sale")?,
            )
            .map(|package| package.with_description(description))
            .map_err(corrupt)
        })
        .collect::<Result<Vec<_>, _>>()?;
    packages.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(packages)
}

#[async_trait]
impl CatalogStore for SqlStore {
    async fn department(&self, department_id: DepartmentId) -> Result<Department, StoreError> {
        read_departments(&self.db, self.codec, Some(department_id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::Department,
            })
    }

    async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        read_departments(&self.db, self.codec, None).await
    }

    async fn save_department(
        &self,
        department: Department,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            let before = read_departments(tx, codec, Some(department.id))
                .await?
                .pop();
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO departments (id, name, credits_per_request, updated_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET \
                     name = excluded.name, credits_per_request = excluded.credits_per_request, \
                     updated_at = excluded.updated_at",
                    [
                        id(department.id),
                        text(department.name.clone()),
                        Value::from(department.credits_per_request.get()),
                        codec.at(at),
                    ],
                ),
                || format!("department `{}`", department.name),
            )
            .await?;
            let record =
                AuditRecord::saved("department", department.id, before.as_ref(), &department);
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }

    async fn package(&self, package_id: PackageId) -> Result<Package, StoreError> {
        read_packages(&self.db, self.codec, Some(package_id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::Package,
            })
    }

    async fn packages(&self) -> Result<Vec<Package>, StoreError> {
        read_packages(&self.db, self.codec, None).await
    }

    async fn save_package(
        &self,
        package: Package,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            for department_id in &package.departments {
                let known = fetch_one(
                    tx,
                    codec.statement(
                        "SELECT id FROM departments WHERE id = $1",
                        [id(*department_id)],
                    ),
                )
                .await?;
                if known.is_none() {
                    return Err(StoreError::NotFound {
                        entity: kasa_ports::Entity::Department,
                    });
                }
            }
            let before = read_packages(tx, codec, Some(package.id)).await?.pop();
            let (kind, credits, days) = match package.kind {
                PackageKind::Credit { credits } => ("credit", Some(credits.get()), None),
                PackageKind::Subscription { days } => ("subscription", None, Some(i64::from(days))),
            };
            execute(
                tx,
                codec.statement(
                    "INSERT INTO packages (id, name, kind, credits, days, price_amount, \
                     price_currency, on_sale, updated_at, description_tr, description_en) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                     ON CONFLICT (id) DO UPDATE SET \
                     name = excluded.name, kind = excluded.kind, credits = excluded.credits, \
                     days = excluded.days, price_amount = excluded.price_amount, \
                     price_currency = excluded.price_currency, on_sale = excluded.on_sale, \
                     updated_at = excluded.updated_at, \
                     description_tr = excluded.description_tr, \
                     description_en = excluded.description_en",
                    [
                        id(package.id),
                        text(package.name.clone()),
                        text(kind),
                        Value::from(credits),
                        Value::from(days),
                        codec.amount(package.price.amount()),
                        text(package.price.currency().alpha_code()),
                        Value::from(package.on_sale),
                        codec.at(at),
                        text(package.description.tr.clone()),
                        text(package.description.en.clone()),
                    ],
                ),
            )
            .await?;
            execute(
                tx,
                codec.statement(
                    "DELETE FROM package_departments WHERE package_id = $1",
                    [id(package.id)],
                ),
            )
            .await?;
            for department_id in &package.departments {
                execute(
                    tx,
                    codec.statement(
                        "INSERT INTO package_departments (package_id, department_id) \
                         VALUES ($1, $2)",
                        [id(package.id), id(*department_id)],
                    ),
                )
                .await?;
            }
            let record = AuditRecord::saved("package", package.id, before.as_ref(), &package);
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }
}
