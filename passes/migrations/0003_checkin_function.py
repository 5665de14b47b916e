"""The check-in rules as a PostgreSQL function, ``passes_checkin``, as this release wrote them.

Only on PostgreSQL. The function was a second engine beside the Python rules of
``passes.services``, which stayed the reference; migration 0008 drops it, and no code calls it
since. Its text is kept here, as it was when this migration first ran, so that replaying the
migrations reads nothing outside them.
"""

from django.db import migrations

SIGNATURE = "passes_checkin(text, text, text, bigint, bigint, bigint, timestamptz)"

FUNCTION = r"""
CREATE OR REPLACE FUNCTION passes_checkin(
    p_lookup text,          -- the long code, or the short code once normalized
    p_prefix text,          -- what the log keeps of an unknown code
    p_space_slug text,
    p_person_id bigint,     -- the signed-in person (desk or self), or NULL
    p_kiosk_id bigint,      -- the kiosk, or NULL
    p_kiosk_space_id bigint,
    p_now timestamptz,
    OUT o_outcome text,
    OUT o_field text,
    OUT o_pass_id bigint,
    OUT o_short_code text,
    OUT o_holder_name text,
    OUT o_holder_email text,
    OUT o_checkin_id bigint,
    OUT o_checked_in_at timestamptz,
    OUT o_channel text,
    OUT o_day date,
    OUT o_remaining integer,
    OUT o_low_remaining integer,  -- the days left, when the holder must be warned
    OUT o_refusal_date date,
    OUT o_refusal_space text
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    s record;            -- the space
    p record;            -- the pass, its plan and its network
    v_local timestamp;   -- wall-clock time at the space
    v_start date;        -- the allowance period, NULL when the plan is unlimited
    v_end date;
    v_in_plan boolean;
    v_open boolean;
    v_issuing_zone text;
    v_open_checkin bigint;
    v_open_space bigint;
    v_visit bigint;
    v_used integer;
    v_used_here integer;
    v_capacity integer;
    v_day date;          -- the calendar day at the space: visit-days are counted in it
    v_issuing_day date;
BEGIN
    SELECT sp.id, sp.time_zone, sp.self_checkin_allowed,
           EXISTS (SELECT 1 FROM network_membership m
                   WHERE m.person_id = p_person_id AND m.organization_id = sp.operator_id
                     AND m.role IN ('space_manager', 'admin')) AS managed
    INTO s
    FROM spaces_space sp WHERE sp.slug = p_space_slug;
    IF NOT FOUND THEN
        o_outcome := 'unknown_space'; o_field := 'space';
        RETURN;
    END IF;

    -- Who checks in: the space's kiosk, its team at the desk, or the member.
    IF p_kiosk_id IS NOT NULL THEN
        o_channel := 'kiosk';
        IF p_kiosk_space_id <> s.id THEN
            o_outcome := 'kiosk_wrong_space'; o_field := 'space';
        END IF;
    ELSIF s.managed THEN
        o_channel := 'desk';
    ELSIF p_person_id IS NOT NULL AND s.self_checkin_allowed THEN
        o_channel := 'self';
    ELSE
        o_outcome := 'checkin_forbidden'; o_field := 'space';
    END IF;

    -- The pass, locked: every check-in of this pass queues here. A long code and a short
    -- one never have the same length, so one of the two unique indexes finds it.
    IF o_outcome IS NULL THEN
        SELECT pa.id, pa.short_code, pa.holder_id, pa.status, pa.valid_from, pa.valid_until,
               pa.issuing_space_id, pl.id AS plan_id, pl.period, pl.allowance,
               pl.per_space_cap, pl.price, pl.network_id, n.visit_value,
               pe.full_name AS holder_name, pe.email AS holder_email
        INTO p
        FROM passes_pass pa JOIN passes_plan pl ON pl.id = pa.plan_id
             JOIN passes_passnetwork n ON n.id = pl.network_id
             LEFT JOIN network_person pe ON pe.id = pa.holder_id
        WHERE pa.code = p_lookup OR pa.short_code = p_lookup
        FOR NO KEY UPDATE OF pa;
        IF NOT FOUND THEN
            o_outcome := 'unknown_pass'; o_field := 'pass_code';
        ELSE
            o_pass_id := p.id;
            o_short_code := p.short_code;
        END IF;
    END IF;

    IF o_outcome IS NULL THEN
        v_local := p_now AT TIME ZONE s.time_zone;
        v_day := v_local::date;
        IF o_channel = 'self' AND p.holder_id IS DISTINCT FROM p_person_id THEN
            o_outcome := 'not_your_pass'; o_field := 'pass_code';
        ELSIF p.status = 'revoked' THEN
            o_outcome := 'pass_revoked';
        ELSIF p.status = 'suspended' THEN
            o_outcome := 'pass_suspended';
        ELSIF v_day < p.valid_from THEN
            o_outcome := 'pass_not_yet_valid'; o_refusal_date := p.valid_from;
        ELSIF p.status = 'expired' OR v_day > p.valid_until THEN
            o_outcome := 'pass_expired'; o_refusal_date := p.valid_until;
        END IF;
    END IF;

    IF o_outcome IS NULL THEN
        IF p.period = 'month' THEN
            v_start := date_trunc('month', v_day)::date;
            v_end := (date_trunc('month', v_day) + interval '1 month - 1 day')::date;
        ELSIF p.period = 'rolling_30' THEN
            v_start := v_day - 29;
            v_end := v_day;
        END IF;
        -- What selectors.pass_day reads, read under the pass lock.
        SELECT EXISTS (SELECT 1 FROM passes_passnetwork_spaces ns
                       WHERE ns.passnetwork_id = p.network_id AND ns.space_id = s.id)
               AND (NOT EXISTS (SELECT 1 FROM passes_plan_eligible_spaces e WHERE e.plan_id = p.plan_id)
                    OR EXISTS (SELECT 1 FROM passes_plan_eligible_spaces e
                               WHERE e.plan_id = p.plan_id AND e.space_id = s.id)),
               EXISTS (SELECT 1 FROM spaces_openinghours h
                       WHERE h.space_id = s.id AND h.weekday = extract(isodow FROM v_day) - 1
                         AND h.opens <= v_local::time AND h.closes > v_local::time)
               AND NOT EXISTS (SELECT 1 FROM spaces_closure c
                               WHERE c.space_id = s.id AND c.starts_on <= v_day AND c.ends_on >= v_day),
               (SELECT i.time_zone FROM spaces_space i WHERE i.id = p.issuing_space_id),
               oc.id, oc.space_id, os.name, v.visit_id, coalesce(v.used, 0), coalesce(v.used_here, 0)
        INTO v_in_plan, v_open, v_issuing_zone, v_open_checkin, v_open_space, o_refusal_space,
             v_visit, v_used, v_used_here
        FROM (SELECT max(vi.id) FILTER (WHERE vi.space_id = s.id AND vi.day = v_day) AS visit_id,
                     count(*) FILTER (WHERE vi.day BETWEEN v_start AND v_end) AS used,
                     count(*) FILTER (WHERE vi.space_id = s.id AND vi.day BETWEEN v_start AND v_end)
                         AS used_here
              FROM passes_visit vi
              WHERE vi.pass_id = p.id AND vi.day >= least(coalesce(v_start, v_day), v_day)) v
        LEFT JOIN passes_checkin oc ON oc.pass_id = p.id AND oc.checked_out_at IS NULL
        LEFT JOIN spaces_space os ON os.id = oc.space_id;

        IF NOT v_in_plan THEN
            o_outcome := 'space_not_in_plan'; o_field := 'space';
        ELSIF NOT v_open THEN
            o_outcome := 'space_closed';
        ELSIF v_open_space = s.id THEN
            -- Scanned again while here: the open check-in, nothing counted twice.
            o_outcome := 'already_here';
            o_checkin_id := v_open_checkin;
            SELECT c.checked_in_at, c.channel, vi.day INTO o_checked_in_at, o_channel, o_day
            FROM passes_checkin c JOIN passes_visit vi ON vi.id = c.visit_id
            WHERE c.id = v_open_checkin;
        ELSIF v_visit IS NULL AND v_start IS NOT NULL AND v_used >= p.allowance THEN
            o_outcome := 'allowance_exhausted';
        ELSIF v_visit IS NULL AND v_start IS NOT NULL AND p.per_space_cap IS NOT NULL
              AND s.id <> p.issuing_space_id AND v_used_here >= p.per_space_cap THEN
            o_outcome := 'space_cap_reached'; o_field := 'space';
        ELSIF v_open_checkin IS NOT NULL THEN
            o_outcome := 'already_checked_in';
        END IF;
        IF o_outcome IS DISTINCT FROM 'already_checked_in' THEN
            o_refusal_space := NULL;
        END IF;
    END IF;

    IF o_outcome IS NULL THEN
        -- The space, locked as late as possible: arrivals at one space queue here
        -- for the desk count and the inserts.
        SELECT sp.desk_capacity INTO v_capacity FROM spaces_space sp WHERE sp.id = s.id
        FOR NO KEY UPDATE;
        IF (SELECT count(*) FROM (SELECT 1 FROM passes_checkin c
                                  WHERE c.space_id = s.id AND c.checked_out_at IS NULL
                                  LIMIT v_capacity) taken) >= v_capacity THEN
            o_outcome := 'space_full';
        END IF;
    END IF;

    IF o_outcome IS NULL THEN
        o_outcome := 'checked_in';
        IF v_visit IS NULL THEN
            -- Plan.visit_value: the network's value, else the price over the allowance.
            INSERT INTO passes_visit (pass_id, space_id, day, value, created_at)
            VALUES (p.id, s.id, v_day,
                    coalesce(p.visit_value, round(p.price / nullif(p.allowance, 0), 2), 0), now())
            RETURNING id INTO v_visit;
            IF v_start IS NOT NULL THEN
                v_used := v_used + 1;
                -- Warn when the days left come down to a fifth of the allowance (at
                -- least one day): they go down one at a time, so once per crossing.
                IF p.allowance - v_used = greatest(1, p.allowance / 5) THEN
                    o_low_remaining := p.allowance - v_used;
                END IF;
            END IF;
        END IF;
        o_checked_in_at := p_now;
        o_day := v_day;
        INSERT INTO passes_checkin (pass_id, space_id, visit_id, checked_in_at, auto_checked_out,
                                    channel, checked_in_by_id, kiosk_id)
        VALUES (p.id, s.id, v_visit, p_now, false, o_channel,
                CASE WHEN o_channel <> 'kiosk' THEN p_person_id END, p_kiosk_id)
        RETURNING id INTO o_checkin_id;
    END IF;

    IF o_outcome NOT IN ('checked_in', 'already_here') THEN
        INSERT INTO passes_checkinattempt (at, outcome, space_id, pass_id, code_prefix, person_id,
                                           kiosk_id)
        VALUES (p_now, o_outcome, s.id, o_pass_id,
                CASE WHEN o_pass_id IS NULL THEN p_prefix ELSE '' END, p_person_id, p_kiosk_id);
        RETURN;
    END IF;

    o_holder_name := p.holder_name;
    o_holder_email := p.holder_email;
    -- Visit-days left in the period at the issuing space's date, as
    -- selectors.remaining_allowance counts them.
    IF v_start IS NOT NULL THEN
        v_issuing_day := (p_now AT TIME ZONE v_issuing_zone)::date;
        IF v_issuing_day = v_day THEN
            o_remaining := greatest(0, p.allowance - v_used);
        ELSE
            IF p.period = 'month' THEN
                v_start := date_trunc('month', v_issuing_day)::date;
                v_end := (date_trunc('month', v_issuing_day) + interval '1 month - 1 day')::date;
            ELSE
                v_start := v_issuing_day - 29;
                v_end := v_issuing_day;
            END IF;
            o_remaining := greatest(0, p.allowance - (
                SELECT count(*) FROM passes_visit vi
                WHERE vi.pass_id = p.id AND vi.day BETWEEN v_start AND v_end));
        END IF;
    END IF;
END;
$$;
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")


class Migration(migrations.Migration):
    dependencies = [("passes", "0002_pass_holder_erasable")]

    operations = [migrations.RunPython(create_function, drop_function)]
