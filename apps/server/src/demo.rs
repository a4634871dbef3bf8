//! `kasa serve --demo`: a database filled with departments, packages, customers, users and a
//! help desk key with well-known credentials, so that a newcomer can try every endpoint at once.
//! Never for production: the credentials are printed and published in the README.

use kasa_billing::GrantPackage;
use kasa_domain::{
    Actor, Credits, Currency, Customer, Department, ExternalId, Language, Money, Package,
    PackageKind, Reason, Role,
};
use kasa_ports::{ActionContext, ApiKey, UserCredentials, new_id};
use kasa_subscriptions::ForfeitConfirmation;

use crate::api::access::{checked_password_hash, new_user};
use crate::app::App;
use crate::auth::token_hash;
use crate::problem::ApiError;
use crate::problem::store_error;

/// The demo administrator.
pub const ADMIN: (&str, &str) = ("admin@demo.kasa", "demo-admin-password");
/// The demo agent.
pub const AGENT: (&str, &str) = ("agent@demo.kasa", "demo-agent-password");
/// The demo help desk's API key.
pub const HELP_DESK_KEY: &str = "kasa_key_demo_help_desk";
/// The demo customers' billing links (Ayşe in Turkish, John in English).
pub const CUSTOMER_LINKS: [&str; 2] = ["kasa_customer_demo_ayse", "kasa_customer_demo_john"];
/// Where the demo expects the local NestPay bank (`scripts/demo` starts it there).
pub const SANDBOX_URL: &str = "http://127.0.0.1:8090";
/// The demo help desk's integration (made only when the server has a secrets key to seal its
/// secrets with: `scripts/demo` gives the demo a throwaway one). `scripts/demo-ticket` posts
/// tickets to it as a help desk would.
pub const DEMO_INTEGRATION: &str = "019ae6c0-0000-7000-8000-00000000de50";
/// The demo help desk's panel secret (signed panel URLs, docs/panel.md).
pub const DEMO_PANEL_SECRET: &str = "kasa_panel_demo_help_desk";
/// The demo help desk's webhook secret (Kasa's own signed webhook, docs/help-desk-events.md).
pub const DEMO_WEBHOOK_SECRET: &str = "kasa_webhook_demo_help_desk";

fn try_money(amount: i64) -> Result<Money, ApiError> {
    Money::from_minor_units(amount * 100, Currency::Try).map_err(|error| ApiError::internal(&error))
}

fn invalid(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(&error)
}

/// Fills an empty database; does nothing when it already has users.
pub async fn seed(app: &App) -> Result<bool, ApiError> {
    if app.access.has_users().await.map_err(store_error)? {
        return Ok(false);
    }
    let now = app.clock.now();
    let context = ActionContext {
        actor: Actor::System {
            job: "demo".to_owned(),
        },
        reason: Reason::new("demo data").map_err(invalid)?,
        request_id: None,
        idempotency: None,
    };
    for (email, password, name, role) in [
        (ADMIN.0, ADMIN.1, "Demo Admin", "admin"),
        (AGENT.0, AGENT.1, "Demo Agent", "agent"),
    ] {
        let credentials = UserCredentials {
            user: new_user(email, name, role, now)?,
            password_hash: checked_password_hash(password)?,
        };
        app.access
            .create_user(credentials, context.clone())
            .await
            .map_err(store_error)?;
    }
    let key = ApiKey {
        id: new_id(),
        name: "Demo help desk".to_owned(),
        role: Role::HelpDesk,
        prefix: HELP_DESK_KEY.chars().take(15).collect(),
        created_at: now,
        revoked_at: None,
    };
    app.access
        .create_api_key(key, token_hash(HELP_DESK_KEY), context.clone())
        .await
        .map_err(store_error)?;

    let support =
        Department::new(new_id(), "Teknik Destek", Credits::from_u32(2)).map_err(invalid)?;
    let sales = Department::new(new_id(), "Satış", Credits::from_u32(1)).map_err(invalid)?;
    let general = Department::new(new_id(), "Genel", Credits::ZERO).map_err(invalid)?;
    for department in [&support, &sales, &general] {
        app.store
            .save_department(department.clone(), context.clone(), now)
            .await
            .map_err(store_error)?;
    }
    let all = [support.id, sales.id, general.id].into_iter().collect();
    let packages = [
        Package::new(
            new_id(),
            "10 Kredi",
            PackageKind::Credit {
                credits: Credits::from_u32(10),
            },
            all,
            try_money(100)?,
            true,
        ),
        Package::new(
            new_id(),
            "50 Kredi",
            PackageKind::Credit {
                credits: Credits::from_u32(50),
            },
            [support.id, sales.id, general.id].into_iter().collect(),
            try_money(400)?,
            true,
        ),
        Package::new(
            new_id(),
            "Aylık Destek",
            PackageKind::Subscription { days: 30 },
            [support.id, general.id].into_iter().collect(),
            try_money(250)?,
            true,
        ),
    ];
    let mut first_package = None;
    for package in packages {
        let package = package.map_err(invalid)?;
        first_package.get_or_insert(package.id);
        app.store
            .save_package(package, context.clone(), now)
            .await
            .map_err(store_error)?;
    }
    let customers = [
        ("ayse@example.com", "Ayşe Yılmaz", Language::Tr, "1001"),
        ("john@example.com", "John Smith", Language::En, "1002"),
    ];
    for (index, (email, name, language, zendesk)) in customers.into_iter().enumerate() {
        let customer = Customer::new(
            new_id(),
            email.parse().map_err(invalid)?,
            name,
            language,
            vec![ExternalId::new("zendesk", zendesk).map_err(invalid)?],
        )
        .map_err(invalid)?;
        app.store
            .create_customer(customer.clone(), context.clone(), now)
            .await
            .map_err(store_error)?;
        app.access
            .create_customer_session(
                kasa_ports::new_id(),
                token_hash(CUSTOMER_LINKS[index]),
                customer.id,
                context.clone(),
                now,
                now + time::Duration::days(365),
            )
            .await
            .map_err(store_error)?;
        if index == 0
            && let Some(package_id) = first_package
        {
            app.billing
                .grant_package(GrantPackage {
                    customer_id: customer.id,
                    package_id,
                    confirmation: ForfeitConfirmation::NotConfirmed,
                    charged: false,
                    context: context.clone(),
                })
                .await
                .map_err(|error| ApiError::internal(&error))?;
        }
    }
    // Customers pay at the local NestPay bank (apps/nestpay-sandbox) with its default store.
    let sandbox = std::env::var("KASA_DEMO_NESTPAY_URL").unwrap_or_else(|_| SANDBOX_URL.to_owned());
    let configuration = serde_json::json!({
        "base_url": sandbox,
        "client_id": "100200127",
        "store_type": "3d_pay",
    });
    app.store
        .save_payment_system(
            kasa_ports::PaymentSystemChange {
                gateway: kasa_ports::GatewayName::new("nestpay"),
                enabled: true,
                configuration: configuration.as_object().cloned().unwrap_or_default(),
                credentials: [
                    ("store_key", "TEST1234"),
                    ("api_user", "kasa-api"),
                    ("api_password", "kasa-api-pass"),
                ]
                .into_iter()
                .map(|(name, value)| (name.to_owned(), kasa_ports::Secret::new(value)))
                .collect(),
            },
            context.clone(),
            now,
        )
        .await
        .map_err(store_error)?;
    app.reload_gateways().await;
    if app.database.seals_credentials() {
        demo_help_desk(app, support.id, context, now).await?;
    }
    Ok(true)
}

/// A help desk posting Kasa's own signed webhook: every ticket it sends is charged in Teknik
/// Destek (`*` in the department mapping), and its panel may be framed from the demo itself.
async fn demo_help_desk(
    app: &App,
    department_id: kasa_domain::DepartmentId,
    context: ActionContext,
    now: time::OffsetDateTime,
) -> Result<(), ApiError> {
    let id = DEMO_INTEGRATION.parse().map_err(invalid)?;
    let integration = kasa_ports::Integration {
        id: kasa_domain::IntegrationId::from_uuid(id),
        name: "Demo help desk".to_owned(),
        kind: kasa_domain::IntegrationKind::Custom,
        allowed_origins: vec![
            kasa_domain::FrameOrigin::parse("http://127.0.0.1:8080").map_err(invalid)?,
        ],
        created_at: now,
        revoked_at: None,
    };
    app.integrations
        .create_integration(
            integration.clone(),
            kasa_ports::Secret::new(DEMO_PANEL_SECRET),
            context.clone(),
        )
        .await
        .map_err(store_error)?;
    app.help_desk_events
        .set_webhook_secret(
            integration.id,
            kasa_ports::Secret::new(DEMO_WEBHOOK_SECRET),
            context.clone(),
            now,
        )
        .await
        .map_err(store_error)?;
    app.help_desk_events
        .set_department_mappings(
            integration.id,
            vec![kasa_ports::DepartmentMapping {
                route: "*".to_owned(),
                department_id,
            }],
            context,
            now,
        )
        .await
        .map_err(store_error)?;
    Ok(())
}

/// What to open and which credentials to use.
pub fn welcome(base: &str) -> String {
    format!(
        "\nKasa demo is running (demo data and credentials: never use this database in \
         production).\n\
         \n  API docs:        {base}/docs\
         \n  OpenAPI spec:    {base}/openapi.json\
         \n  Admin sign-in:   {admin} / {admin_password}   (POST {base}/v1/sessions)\
         \n  Agent sign-in:   {agent} / {agent_password}\
         \n  Help desk key:   {key}\
         \n  Customers:       ayse@example.com (10 credits, zendesk 1001), john@example.com \
         (nothing yet, zendesk 1002)\
         \n  Buy a package:   {base}/billing?token={ayse} (Ayşe, Turkish) or \
         {base}/billing?token={john} (John, English);\
         \n                   pay with test card 4508 0345 0803 4509, 12/30, CVC 123 at the \
         local bank ({sandbox}: `scripts/demo` starts it)\
         \n  Help desk:       scripts/demo-ticket ayse@example.com T-1 posts ticket T-1 as the \
         demo help desk would (signed webhook; charged once in Teknik Destek)\
         \n\n  Try: curl -s -H 'Authorization: Bearer {key}' \
         '{base}/v1/billing-context?email=ayse@example.com'\n",
        admin = ADMIN.0,
        admin_password = ADMIN.1,
        agent = AGENT.0,
        agent_password = AGENT.1,
        key = HELP_DESK_KEY,
        ayse = CUSTOMER_LINKS[0],
        john = CUSTOMER_LINKS[1],
        sandbox = SANDBOX_URL,
    )
}
