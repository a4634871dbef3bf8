ALTER TABLE purchases
    ALTER COLUMN package_id DROP NOT NULL,
    ALTER COLUMN package_kind DROP NOT NULL,
    ALTER COLUMN package DROP NOT NULL,
    ADD CONSTRAINT purchases_one_item CHECK (
        (package IS NULL) <> (amount_item IS NULL)
        AND (package IS NULL) = (package_id IS NULL)
        AND (package IS NULL) = (package_kind IS NULL));
ALTER TABLE payment_requests
    ALTER COLUMN package_id DROP NOT NULL,
    ALTER COLUMN package DROP NOT NULL,
    ADD CONSTRAINT payment_requests_one_item CHECK (
        (package IS NULL) <> (amount_item IS NULL)
        AND (package IS NULL) = (package_id IS NULL));
