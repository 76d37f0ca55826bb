{#- A school fact's key points to a version of the fact's own school in dim__school, and to the version valid on
    1 July of the fact's year (or, when none is valid that day, to one of the versions nearest in time): checked
    against dim__school itself, not through prep__school_year_key, the lookup the facts use. No row falls back to
    the missing member unless `missing_member_where` (a condition on the fact's columns) says why it may: the
    documented exceptions are named in the model's YAML. Returns each offending row with the rule it breaks. -#}
{% test school_version_of_the_year(model, column_name, calendar_year='calendar_year', school_code='school_code',
                                   missing_member_where=none) %}
with facts as (
    select
        {{ column_name }} as school_sk,
        {{ school_code }} as school_code,
        {{ calendar_year }} as calendar_year,
        make_date({{ calendar_year }}, 7, 1) as mid_year,
        {{ missing_member_where if missing_member_where else 'false' }} as may_be_missing
    from {{ model }}
),

versions as (
    select school_sk, school_code, valid_from, valid_to
    from {{ ref('dim__school') }}
    where school_sk != {{ missing_member_key() }}
),

-- For each school-year in the fact, how many days each version of the school lies from 1 July (0: valid then).
distances as (
    select
        school_years.school_code,
        school_years.calendar_year,
        versions.school_sk,
        case
            when school_years.mid_year < versions.valid_from then versions.valid_from - school_years.mid_year
            when school_years.mid_year >= versions.valid_to then school_years.mid_year - versions.valid_to + 1
            else 0
        end as days_away
    from (select distinct school_code, calendar_year, mid_year from facts) as school_years
    inner join versions on school_years.school_code = versions.school_code
),

nearest as (
    select school_code, calendar_year, min(days_away) as days_away
    from distances
    group by school_code, calendar_year
),

checked as (
    select
        facts.*,
        dim.school_code as dim_school_code,
        pointed.days_away,
        nearest.days_away as nearest_days_away,
        case
            when dim.school_sk is null then 'points to no dim__school row'
            when facts.school_sk = {{ missing_member_key() }} and not facts.may_be_missing
                then 'falls back to the missing member'
            when facts.school_sk = {{ missing_member_key() }} then null
            when facts.school_code is distinct from dim.school_code then 'points to a version of another school'
            when pointed.days_away > nearest.days_away
                then 'points to a version further from 1 July than another version of the school'
        end as broken_rule
    from facts
    left join {{ ref('dim__school') }} as dim on facts.school_sk = dim.school_sk
    left join distances as pointed
        on
            facts.school_code = pointed.school_code
            and facts.calendar_year = pointed.calendar_year
            and facts.school_sk = pointed.school_sk
    left join nearest on facts.school_code = nearest.school_code and facts.calendar_year = nearest.calendar_year
)

select * from checked where broken_rule is not null
{% endtest %}
