-- The card a payment was made with, as the customer's history and invoices show it: its brand
-- and last four digits, recorded when the gateway reports the payment (NestPay's MaskedPan,
-- Stripe's payment method). Never more of the number.

ALTER TABLE payments ADD COLUMN card_brand TEXT NULL CHECK (card_brand IS NULL OR length(card_brand) BETWEEN 1 AND 20);
ALTER TABLE payments ADD COLUMN card_last4 TEXT NULL CHECK (card_last4 IS NULL OR length(card_last4) = 4);
