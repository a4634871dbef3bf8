-- A package's description for customers, in Turkish and in English (empty when none).
ALTER TABLE packages ADD COLUMN description_tr TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
