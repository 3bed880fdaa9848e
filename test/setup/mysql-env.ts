// The `mysql` project checks MySQL-only behaviour (schema.sql parity, query plans).
process.env.DB_TYPE = 'mysql';
