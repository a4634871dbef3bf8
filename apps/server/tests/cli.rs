//! The `kasa` binary as an operator runs it.

use std::process::Command;

fn kasa(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kasa"))
        .args(arguments)
        .output()
        .expect("kasa runs")
}

#[test]
fn help_describes_kasa_and_its_commands() {
    let output = kasa(&["--help"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("billing support for help desks"), "{text}");
    assert!(text.contains("renewal-opens"), "{text}");
}

#[test]
fn renewal_opens_thirty_days_before_the_end() {
    let output = kasa(&["renewal-opens", "2027-01-31T09:30:00Z"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        "renewal opens at 2027-01-01T09:30:00Z (30 days before the end)"
    );
}

#[test]
fn a_bad_time_is_a_clear_error_and_exit_code_2() {
    let output = kasa(&["renewal-opens", "next tuesday"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("RFC 3339")
    );
}
