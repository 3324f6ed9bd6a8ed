"""SGTA — audit-trail inconsistencies (seed 001): trails as data, records, rules, import and service."""
