{#- Typing of source values by rule. A value a rule cannot type becomes null (status 'invalid') instead of failing
    the build, and quarantine__rejected_rows lists it with its file, row, column and the reason. Each staging model
    declares its typed columns in `typed_columns()` (typed_columns.sql); it types them with `typed_value` and
    `typed_status`, and leaves out the rows whose key a rule rejects (`typed_keys_accepted`). -#}

{#- The markers a source puts in place of a measure, and the status each one means. -#}
{% macro value_markers() %}
    {{ return({'sp': 'suppressed', 'np': 'suppressed', 'na': 'not_applicable'}) }}
{% endmacro %}

{#- The rules. `kind` picks the check (number, date, coordinate); a number is of `type`, whole where `whole` says
    so and within `min`..`max`; `markers` are what a cell may hold instead of a value; `expected` is what the
    reason of a rejection says a value must be. -#}
{% macro typing_rules() %}
    {%- set measure_markers = ['sp', 'np', 'na'] %}
    {{ return({
        'school_code': {'kind': 'number', 'type': 'integer', 'whole': true, 'min': 1, 'max': 9999, 'markers': [],
            'expected': 'a school code (a whole number from 1 to 9999)'},
        'id': {'kind': 'number', 'type': 'integer', 'whole': true, 'min': 1, 'markers': ['na'],
            'expected': 'an id (a whole number >= 1)'},
        'year': {'kind': 'number', 'type': 'integer', 'whole': true, 'min': 1900, 'max': 2100, 'markers': [],
            'expected': 'a year (a whole number from 1900 to 2100)'},
        'whole_number': {'kind': 'number', 'type': 'integer', 'whole': true, 'min': 0, 'markers': measure_markers,
            'expected': 'a whole number >= 0'},
        'number': {'kind': 'number', 'type': 'double', 'min': 0, 'markers': measure_markers,
            'expected': 'a number >= 0'},
        'percentage': {'kind': 'number', 'type': 'double', 'min': 0, 'max': 100, 'markers': measure_markers,
            'expected': 'a percentage from 0 to 100'},
        'percentile': {'kind': 'number', 'type': 'integer', 'whole': true, 'min': 0, 'max': 100,
            'markers': measure_markers, 'expected': 'a percentile (a whole number from 0 to 100)'},
        'date': {'kind': 'date', 'type': 'date', 'markers': [], 'expected': 'a date as YYYY-MM-DD'},
        'compact_date': {'kind': 'date', 'type': 'date', 'format': '%Y%m%d', 'markers': [],
            'expected': 'a date as YYYYMMDD'},
        'intake_year': {'kind': 'number', 'type': 'integer', 'whole': true, 'min': 0, 'max': 2100,
            'markers': ['y', 'n'], 'expected': 'Y, N or the calendar year the zone takes the level (0 = never)'},
        'latitude': {'kind': 'coordinate', 'type': 'double', 'axis': 'latitude', 'markers': []},
        'longitude': {'kind': 'coordinate', 'type': 'double', 'axis': 'longitude', 'markers': []},
    }) }}
{% endmacro %}

{#- Where a school may be: boxes of [south, north] latitude and [west, east] longitude. NSW is its mainland (the
    extreme points of the state: Point Danger, Cape Howe, the SA border, Cape Byron) and the two islands where the
    data really has a government school: Lord Howe Island Central School (part of NSW, every vintage) and Norfolk
    Island Central School (run by NSW until 2021: the 2018-2020 master-dataset vintages). Both islands lie within
    the mainland's latitudes, so an island is told apart by its longitude. ACARA's workbooks list every state: their
    non-NSW rows need only be in Australia (Cocos Islands to Norfolk Island, Torres Strait to Tasmania). -#}
{% macro coordinate_regions() %}
    {{ return({
        'NSW': [
            {'name': 'mainland NSW', 'latitude': [-37.51, -28.15], 'longitude': [140.99, 153.64]},
            {'name': 'Lord Howe Island', 'latitude': [-31.60, -31.49], 'longitude': [159.03, 159.12]},
            {'name': 'Norfolk Island', 'latitude': [-29.14, -28.99], 'longitude': [167.90, 168.00]},
        ],
        'Australia': [
            {'name': 'Australia', 'latitude': [-44.0, -9.0], 'longitude': [96.0, 168.5]},
        ],
    }) }}
{% endmacro %}

{#- The number a cell holds (thousands separators allowed), or null. -#}
{% macro source_number(expr) -%}
    try_cast(replace(trim({{ expr }}), ',', '') as double)
{%- endmacro %}

{#- Kind of check `number`: a finite number within the rule's bounds, and whole where the rule says so. -#}
{% macro number_is_typable(expr, rule) -%}
    {%- set number = source_number(expr) -%}
    coalesce(
        isfinite({{ number }})
        {%- if rule.get('whole') %} and {{ number }} = floor({{ number }}){% endif %}
        {%- if rule.get('min') is not none %} and {{ number }} >= {{ rule.min }}{% endif %}
        {%- if rule.get('max') is not none %} and {{ number }} <= {{ rule.max }}{% endif %},
        false
    )
{%- endmacro %}

{#- Kind of check `date`: an ISO date (YYYY-MM-DD), or a date in the rule's strptime `format`. -#}
{% macro source_date(expr, rule) -%}
    {%- if rule.get('format') -%}
        cast(try_strptime({{ clean_text(expr) }}, '{{ rule.format }}') as date)
    {%- else -%}
        try_cast({{ clean_text(expr) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro date_is_typable(expr, rule) -%}
    {{ source_date(expr, rule) }} is not null
{%- endmacro %}

{#- A point given as numbers lies in one of the boxes. -#}
{% macro point_in_boxes(latitude, longitude, boxes) -%}
    (
        {%- for box in boxes %}
            ({{ latitude }} between {{ box.latitude[0] }} and {{ box.latitude[1] }}
            and {{ longitude }} between {{ box.longitude[0] }} and {{ box.longitude[1] }})
            {{- " or" if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- One axis of a coordinate within the boxes of a region. A latitude is judged alone. A longitude must lie in a box
    whose latitudes hold the row's latitude, unless that latitude is itself missing or outside every box (then it is
    the latitude that is wrong): so a point off the coast of the mainland at an island's longitude is rejected. -#}
{% macro coordinate_in_region(number, axis, latitude, boxes) -%}
    {%- if axis == 'latitude' -%}
        (
            {%- for box in boxes %}
                {{ number }} between {{ box.latitude[0] }} and {{ box.latitude[1] }}{{ " or" if not loop.last }}
            {%- endfor %}
        )
    {%- else -%}
        (
            {%- for box in boxes %}
                ({{ number }} between {{ box.longitude[0] }} and {{ box.longitude[1] }}
                and (
                    {{ latitude }} is null
                    or {{ latitude }} between {{ box.latitude[0] }} and {{ box.latitude[1] }}
                    or not {{ coordinate_in_region(latitude, 'latitude', none, boxes) }}
                )){{ " or" if not loop.last }}
            {%- endfor %}
        )
    {%- endif %}
{%- endmacro %}

{#- Kind of check `coordinate`: the value is a latitude or longitude inside NSW; where the entry names a `state`
    column (ACARA), inside NSW for a NSW row and inside Australia for the others. -#}
{% macro coordinate_is_typable(expr, rule, entry) -%}
    {%- set regions = coordinate_regions() -%}
    {%- set number = source_number(expr) -%}
    {%- set latitude = source_number(entry.latitude) if entry.get('latitude') else none -%}
    coalesce(
        isfinite({{ number }}) and
        {%- if entry.get('state') %}
            case
                when trim({{ entry.state }}) = 'NSW'
                    then {{ coordinate_in_region(number, rule.axis, latitude, regions['NSW']) }}
                else {{ coordinate_in_region(number, rule.axis, latitude, regions['Australia']) }}
            end,
        {%- else %}
            {{ coordinate_in_region(number, rule.axis, latitude, regions['NSW']) }},
        {%- endif %}
        false
    )
{%- endmacro %}

{#- Whether a cell holds a value its entry's rule can type (false for blanks and markers). -#}
{% macro value_is_typable(expr, entry) -%}
    {%- set rule = typing_rules()[entry.rule] -%}
    {%- if rule.kind == 'number' -%} {{ number_is_typable(expr, rule) }}
    {%- elif rule.kind == 'date' -%} {{ date_is_typable(expr, rule) }}
    {%- elif rule.kind == 'coordinate' -%} {{ coordinate_is_typable(expr, rule, entry) }}
    {%- else -%} {{ exceptions.raise_compiler_error("Unknown kind of typing rule: " ~ rule.kind) }}
    {%- endif -%}
{%- endmacro %}

{#- Whether a cell is rejected: it holds something that is neither a value its rule can type nor one of the rule's
    markers, or it is blank where the entry requires a value. -#}
{% macro value_is_rejected(expr, entry) -%}
    {%- set rule = typing_rules()[entry.rule] -%}
    case
        when {{ clean_text(expr) }} is null then {{ 'true' if entry.get('required', entry.get('key', false)) else 'false' }}
        {%- if rule.markers %}
            when lower(trim({{ expr }})) in ('{{ rule.markers | join("', '") }}') then false
        {%- endif %}
        else not {{ value_is_typable(expr, entry) }}
    end
{%- endmacro %}

{#- The reason a rejected value of the entry is quarantined, e.g. "expected a whole number >= 0 (or sp/np/na/blank)". -#}
{% macro rejection_reason(entry) -%}
    {%- set rule = typing_rules()[entry.rule] -%}
    {%- if rule.kind == 'coordinate' -%}
        {%- set regions = coordinate_regions() -%}
        {%- set places = [] -%}
        {%- for box in regions['NSW'] -%}
            {%- do places.append(box.name ~ ' (' ~ box[rule.axis][0] ~ ' to ' ~ box[rule.axis][1] ~ ')') -%}
        {%- endfor -%}
        {%- set expected = 'a ' ~ rule.axis ~ ' inside NSW: ' ~ places | join(', ') -%}
        {%- if rule.axis == 'longitude' -%}
            {%- set expected = expected ~ ', with the latitude of the same place' -%}
        {%- endif -%}
        {%- if entry.get('state') -%}
            {%- set box = regions['Australia'][0] -%}
            {%- set expected = expected ~ '; outside NSW, inside Australia (' ~ box[rule.axis][0] ~ ' to '
                ~ box[rule.axis][1] ~ ')' -%}
        {%- endif -%}
    {%- else -%}
        {%- set expected = rule.expected -%}
    {%- endif -%}
    {%- set stand_ins = rule.markers + ([] if entry.get('required', entry.get('key', false)) else ['blank']) -%}
    expected {{ expected }}{{ ' (or ' ~ stand_ins | join('/') ~ ')' if stand_ins }}
{%- endmacro %}

{#- The name of the staging model being built (a dbt unit test builds it under the test's own name). -#}
{% macro typed_model_name() -%}
    {{ return((model.get('tested_node_unique_id') or model.unique_id).split('.')[-1]) }}
{%- endmacro %}

{#- The raw tables of the model being built, each with its entries in `typed_columns()`. -#}
{% macro typed_sources() -%}
    {%- set sources = typed_columns().get(typed_model_name()) -%}
    {%- if sources is none -%}
        {{ exceptions.raise_compiler_error(typed_model_name() ~ " declares no typed columns: add it to typed_columns()") }}
    {%- endif -%}
    {{ return(sources) }}
{%- endmacro %}

{#- The entry of `typed_columns()` that declares the typed column `name` of the model being built. -#}
{% macro typed_column(name) -%}
    {%- for entries in typed_sources().values() -%}
        {%- for entry in entries if entry['as'] == name -%}
            {{ return(entry) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(typed_model_name() ~ "." ~ name ~ " is not declared in typed_columns()") }}
{%- endmacro %}

{#- The typed value of column `name` (declared in `typed_columns()`), read from `expr` (by default the raw column
    the entry names), or null when its rule rejects it or the cell holds a marker or nothing. -#}
{% macro typed_value(name, expr=none) -%}
    {%- set entry = typed_column(name) -%}
    {%- set expr = expr or entry.column -%}
    {%- set rule = typing_rules()[entry.rule] -%}
    case
        when {{ value_is_typable(expr, entry) }}
            {%- if rule.kind == 'date' %}
                then {{ source_date(expr, rule) }}
            {%- else %}
                then cast({{ source_number(expr) }} as {{ rule.type }})
            {%- endif %}
    end
{%- endmacro %}

{#- What a cell says about the value of column `name`: reported, suppressed (sp, np: below the reporting
    threshold), not_applicable (na), not_reported (blank or NULL), or invalid (rejected, and so quarantined). -#}
{% macro typed_status(name, expr=none) -%}
    {%- set entry = typed_column(name) -%}
    {%- set expr = expr or entry.column -%}
    {%- set markers = value_markers() -%}
    case
        when {{ clean_text(expr) }} is null then 'not_reported'
        {%- for marker in typing_rules()[entry.rule].markers %}
            when lower(trim({{ expr }})) = '{{ marker }}' then '{{ markers[marker] }}'
        {%- endfor %}
        when {{ value_is_typable(expr, entry) }} then 'reported'
        else 'invalid'
    end
{%- endmacro %}

{#- The filter of a staging model: rows whose key a rule rejects are left out (quarantine lists them). -#}
{% macro typed_keys_accepted() -%}
    {%- set conditions = [] -%}
    {%- for entries in typed_sources().values() -%}
        {%- for entry in entries if entry.get('key') -%}
            {%- set condition = 'not ' ~ value_is_rejected(entry.column, entry) -%}
            {%- if condition not in conditions %}{% do conditions.append(condition) %}{% endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ conditions | join('\n    and ') if conditions else 'true' }}
{%- endmacro %}

{#- The lineage a staging row carries: the snapshot file and the row's position among its data rows. -#}
{% macro source_lineage() -%}
    _source_file as source_file,
    _source_row as source_row_number
{%- endmacro %}
