-- The platform's own schema. Modules each own a schema of their own (biomech, training, ...).
CREATE SCHEMA IF NOT EXISTS backplane;
