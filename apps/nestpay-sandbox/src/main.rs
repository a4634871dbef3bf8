//! The local NestPay bank (being written).

fn main() {}
