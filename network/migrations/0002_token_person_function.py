"""``network_token_person(key)``: the active person holding an API token, for a statement that
authenticates its caller and acts in the same round trip (a desk's scan: see
passes/services.py, ``CHECKIN_BY_TOKEN_CALL``).

It answers what :class:`network.authentication.TokenAuthentication` reads, and refuses what
it refuses, by raising SQLSTATE 28000 (invalid_authorization_specification) with the
message ``unknown_token`` or ``inactive_person``: the statement that called it stops there,
having written nothing. Only on PostgreSQL; elsewhere the token is read on its own.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION network_token_person(p_key text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_id bigint;
    v_active boolean;
BEGIN
    SELECT p.id, p.is_active INTO v_id, v_active
    FROM authtoken_token t JOIN network_person p ON p.id = t.user_id
    WHERE t.key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown_token' USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    IF NOT v_active THEN
        RAISE EXCEPTION 'inactive_person' USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    RETURN v_id;
END;
$$"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS network_token_person(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(create_function, drop_function)]
