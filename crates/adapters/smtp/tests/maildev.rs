//! The mailer against a real SMTP server (maildev, see `kasa_testkit::maildev`).

use std::time::Duration;

use kasa_ports::{EmailAttachment, EmailMessage, MailError, Mailer};
use kasa_smtp::{SmtpConfig, SmtpMailer, SmtpSecurity};
use kasa_testkit::maildev::{MailDev, free_port};

fn mailer_on(port: u16) -> SmtpMailer {
    mailer_with(port, None)
}

fn mailer_with(port: u16, credentials: Option<(&str, &str)>) -> SmtpMailer {
    SmtpMailer::new(&SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port,
        security: SmtpSecurity::None,
        credentials: credentials
            .map(|(user, password)| (user.to_owned(), kasa_ports::Secret::new(password))),
        from: "billing@kasa.example".parse().unwrap(),
        from_name: "Kasa Fatura".to_owned(),
        timeout: Duration::from_secs(5),
    })
    .expect("a mailer")
}

fn message() -> EmailMessage {
    EmailMessage {
        to: vec!["ayse@example.com".parse().unwrap()],
        cc: vec!["finance@kasa.example".parse().unwrap()],
        reply_to: Some("support+ayse@kasa.example".parse().unwrap()),
        subject: "Satın alımınız tamamlandı: 10 Kredi".to_owned(),
        text_body: "Merhaba Ayşe, 10 kredi hesabınıza eklendi. Tutar: ₺100,00".to_owned(),
        html_body: Some("<p>Merhaba Ayşe, <b>10 kredi</b> hesabınıza eklendi.</p>".to_owned()),
        attachments: vec![EmailAttachment {
            file_name: "fatura-2026-000001.pdf".to_owned(),
            content_type: "application/pdf".to_owned(),
            bytes: b"%PDF-1.7 test".to_vec(),
        }],
        identity: Some("kasa.0193a1b2-0000-7000-8000-000000000001".to_owned()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_reaches_the_server_with_recipients_reply_to_alternatives_and_attachment() {
    let maildev = MailDev::start().await;
    mailer_on(maildev.smtp_port)
        .send(&message())
        .await
        .expect("accepted");
    let received = maildev.received().await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail["subject"], "Satın alımınız tamamlandı: 10 Kredi");
    assert_eq!(mail["to"][0]["address"], "ayse@example.com");
    assert_eq!(mail["cc"][0]["address"], "finance@kasa.example");
    assert_eq!(mail["from"][0]["address"], "billing@kasa.example");
    assert_eq!(mail["from"][0]["name"], "Kasa Fatura");
    // maildev keeps each message's source in a file and names it in `source`.
    let source = std::fs::read_to_string(mail["source"].as_str().unwrap()).unwrap();
    assert!(
        source.contains("Reply-To: support+ayse@kasa.example"),
        "{source}"
    );
    assert!(
        source.contains("Message-ID: <kasa.0193a1b2-0000-7000-8000-000000000001@kasa.example>"),
        "the message's stable identity is its Message-ID: {source}"
    );
    assert!(mail["text"].as_str().unwrap().contains("₺100,00"), "{mail}");
    assert!(
        mail["html"].as_str().unwrap().contains("<b>10 kredi</b>"),
        "{mail}"
    );
    assert_eq!(
        mail["attachments"][0]["filename"], "fatura-2026-000001.pdf",
        "{mail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_does_not_answer_is_temporarily_unavailable() {
    let closed = free_port();
    let error = mailer_on(closed).send(&message()).await.unwrap_err();
    assert!(matches!(error, MailError::Unavailable(_)), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_without_recipients_is_rejected_for_good() {
    let mut empty = message();
    empty.to.clear();
    let error = mailer_on(free_port()).send(&empty).await.unwrap_err();
    assert!(matches!(error, MailError::Rejected(_)), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailer_authenticates_and_a_wrong_password_is_rejected_for_good() {
    let maildev =
        MailDev::start_with(&["--incoming-user", "kasa", "--incoming-pass", "s3cret"]).await;
    mailer_with(maildev.smtp_port, Some(("kasa", "s3cret")))
        .send(&message())
        .await
        .expect("accepted with the right password");
    let error = mailer_with(maildev.smtp_port, Some(("kasa", "wrong")))
        .send(&message())
        .await
        .unwrap_err();
    assert!(matches!(error, MailError::Rejected(_)), "{error:?}");
    assert!(
        !format!("{error:?}").contains("wrong"),
        "the password is not in the error"
    );
    assert_eq!(maildev.received().await.len(), 1);
}
