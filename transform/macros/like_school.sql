{#- "Schools like this one", defined once (docs/like_schools.md says why it is built this way). A school is compared
    with the current schools of its own level of schooling that share its cell at the first step of this ladder
    where the cell holds at least like_school_min_others() schools besides it; the last step (the level alone) is
    taken whatever its size. `remoteness` and `icsea` name how a step groups each attribute: `class` the published
    value, `broad` three broad classes, `any` not at all. -#}
{% macro like_school_steps() %}
    {{ return([
        {'method': 'exact', 'remoteness': 'class', 'icsea': 'band'},
        {'method': 'broad_remoteness', 'remoteness': 'broad', 'icsea': 'band'},
        {'method': 'any_remoteness', 'remoteness': 'any', 'icsea': 'band'},
        {'method': 'level_only', 'remoteness': 'any', 'icsea': 'any'},
    ]) }}
{% endmacro %}

{#- The fewest other schools a like group may hold before the ladder widens it. -#}
{% macro like_school_min_others() %}
    {{ return(5) }}
{% endmacro %}

{#- An ASGS remoteness class in three broad classes: major cities, regional (inner and outer) and remote (remote and
    very remote), the way the ABS itself often combines them. -#}
{% macro broad_remoteness(column) -%}
    case
        when {{ column }} in ('Inner Regional Australia', 'Outer Regional Australia') then 'Regional Australia'
        when {{ column }} in ('Remote Australia', 'Very Remote Australia') then 'Remote or Very Remote Australia'
        else {{ column }}
    end
{%- endmacro %}

{#- Every current school's cell at every step of the ladder: one row per school and step, with the three values
    that name the cell (a school's group at a step is every current school with the same three values). -#}
{% macro like_school_cells() -%}
    with schools as (
        select
            school_code,
            coalesce(level_of_schooling, 'Level unknown') as level_of_schooling,
            coalesce(asgs_remoteness, 'Remoteness unknown') as asgs_remoteness,
            icsea_band
        from {{ ref('rpt__school_current') }}
        where is_current
    )

    {% for step in like_school_steps() %}
        select
            school_code,
            {{ loop.index }} as like_group_step,
            '{{ step.method }}' as like_group_method,
            level_of_schooling as level_group,
            {% if step.remoteness == 'class' -%}
                asgs_remoteness
            {%- elif step.remoteness == 'broad' -%}
                {{ broad_remoteness('asgs_remoteness') }}
            {%- else -%}
                'any remoteness'
            {%- endif %} as remoteness_group,
            {% if step.icsea == 'band' -%}
                icsea_band
            {%- else -%}
                'any ICSEA'
            {%- endif %} as icsea_group
        from schools
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}

{#- Every like group's schools, for the tests that recompute a group's figures from the whole group: every school
    whose group it is, and their members (a member's own group may be narrower). -#}
{% macro like_group_schools() -%}
    select
        like_group_key,
        school_code
    from {{ ref('rpt__like_school') }}
    union
    select
        like_group_key,
        member_school_code
    from {{ ref('rpt__like_school_member') }}
{%- endmacro %}
