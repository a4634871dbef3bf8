//! Each vendor's API client against a local server playing that vendor (kasa-testkit's
//! `help_desks`, written from the vendor's API documentation): notes are internal, tags are
//! added without losing the ticket's own, a note can be found by its marker, and the vendor's
//! refusals are sorted into temporary and permanent errors.

use std::time::Duration;

use kasa_helpdesk::freshdesk::client::FreshdeskClient;
use kasa_helpdesk::helpscout::client::HelpScoutClient;
use kasa_helpdesk::zendesk::client::ZendeskClient;
use kasa_ports::{HelpDesk, HelpDeskError};
use kasa_testkit::help_desks::{APP_ID, FakeHelpDesk, LOGIN, SECRET, Scripted, Vendor};

const TIMEOUT: Duration = Duration::from_secs(5);

fn client(desk: &FakeHelpDesk, secret: &str) -> Box<dyn HelpDesk> {
    match desk.vendor {
        Vendor::Zendesk => {
            Box::new(ZendeskClient::new(&desk.base_url, LOGIN, secret, TIMEOUT).unwrap())
        }
        Vendor::Freshdesk => {
            Box::new(FreshdeskClient::new(&desk.base_url, secret, TIMEOUT).unwrap())
        }
        Vendor::HelpScout => Box::new(
            HelpScoutClient::new(&desk.base_url, APP_ID, secret, Some(7), TIMEOUT).unwrap(),
        ),
    }
}

async fn notes_and_tags_land_on_the_ticket(vendor: Vendor) {
    let desk = FakeHelpDesk::start(vendor, &["42"]).await;
    let help_desk = client(&desk, SECRET);
    let note = "Refunded ₺100,00 <by Ayşe>\nwhy: double charge\nkasa-call:abc";
    help_desk.post_internal_note("42", note).await.unwrap();
    help_desk.add_tags("42", &["vip".to_owned()]).await.unwrap();
    help_desk
        .add_tags("42", &["kasa_refund".to_owned(), "vip".to_owned()])
        .await
        .unwrap();
    let ticket = desk.ticket("42");
    assert_eq!(ticket.tags, ["vip", "kasa_refund"], "{vendor:?}");
    assert_eq!(ticket.notes.len(), 1);
    if vendor == Vendor::Freshdesk {
        assert_eq!(
            ticket.notes[0],
            "Refunded ₺100,00 &lt;by Ayşe&gt;<br>why: double charge<br>kasa-call:abc"
        );
    } else {
        assert_eq!(ticket.notes[0], note);
    }
    assert!(
        help_desk
            .has_note_containing("42", "kasa-call:abc")
            .await
            .unwrap()
    );
    assert!(
        !help_desk
            .has_note_containing("42", "kasa-call:other")
            .await
            .unwrap()
    );
    assert!(
        desk.requests()
            .iter()
            .all(|request| request.authorized || request.path == "/v2/oauth2/token")
    );
}

async fn refusals_are_sorted(vendor: Vendor) {
    let desk = FakeHelpDesk::start(vendor, &["42"]).await;
    let help_desk = client(&desk, SECRET);
    // (Help Scout's first request, the token's, meets the rate limit: the same answer.)
    desk.script(&[Scripted::RateLimited(17)]);
    assert_eq!(
        help_desk.post_internal_note("42", "n").await,
        Err(HelpDeskError::RateLimited {
            retry_after_seconds: 17
        })
    );
    desk.script(&[Scripted::ServerError]);
    let error = help_desk.post_internal_note("42", "n").await.unwrap_err();
    assert!(matches!(error, HelpDeskError::Unavailable(_)), "{error}");
    assert!(error.is_temporary());
    let error = help_desk.post_internal_note("999", "n").await.unwrap_err();
    assert!(matches!(error, HelpDeskError::Rejected(_)), "{error}");
    assert!(!error.is_temporary());
    desk.set_outage(true);
    assert!(
        help_desk
            .add_tags("42", &["t".to_owned()])
            .await
            .unwrap_err()
            .is_temporary()
    );
    desk.set_outage(false);
    assert!(desk.ticket("42").notes.is_empty(), "nothing applied");

    let wrong = client(&desk, "not-the-secret");
    let error = wrong.post_internal_note("42", "n").await.unwrap_err();
    assert!(matches!(error, HelpDeskError::Unauthorized(_)), "{error}");
    assert!(!error.is_temporary());
    assert!(
        !format!("{error}").contains("not-the-secret"),
        "an error quotes the secret"
    );
}

#[tokio::test]
async fn zendesk_notes_and_tags() {
    notes_and_tags_land_on_the_ticket(Vendor::Zendesk).await;
}

#[tokio::test]
async fn freshdesk_notes_and_tags() {
    notes_and_tags_land_on_the_ticket(Vendor::Freshdesk).await;
}

#[tokio::test]
async fn helpscout_notes_and_tags() {
    notes_and_tags_land_on_the_ticket(Vendor::HelpScout).await;
}

#[tokio::test]
async fn zendesk_refusals() {
    refusals_are_sorted(Vendor::Zendesk).await;
}

#[tokio::test]
async fn freshdesk_refusals() {
    refusals_are_sorted(Vendor::Freshdesk).await;
}

#[tokio::test]
async fn helpscout_refusals() {
    refusals_are_sorted(Vendor::HelpScout).await;
}

#[tokio::test]
async fn helpscout_asks_for_a_token_once_and_keeps_it() {
    let desk = FakeHelpDesk::start(Vendor::HelpScout, &["42"]).await;
    let help_desk = client(&desk, SECRET);
    help_desk.post_internal_note("42", "one").await.unwrap();
    help_desk.post_internal_note("42", "two").await.unwrap();
    let tokens = |desk: &FakeHelpDesk| {
        desk.requests()
            .iter()
            .filter(|request| request.path == "/v2/oauth2/token")
            .count()
    };
    assert_eq!(tokens(&desk), 1, "the token is kept");
    let requests = desk.requests();
    assert!(requests.iter().all(|r| r.status < 400), "{requests:?}");
}
