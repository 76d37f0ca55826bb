{#- How quarantine__rejected_rows finds and describes the rows it holds. -#}

{#- A raw row as JSON, without the lineage columns (quarantine has its own columns for the file and row). -#}
{% macro quarantine_row_json(alias) -%}
    json_merge_patch(
        to_json({{ alias }}),
        '{"_source_file": null, "_source_row": null, "_source_sha256": null, "_vintage": null, "_loaded_at": null}'
    )
{%- endmacro %}

{#- A SQL string literal. -#}
{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{#- Every value of one `typed_columns()` entry that its rule rejects, from the CTE `raw_<table>` (the raw table
    with each row's JSON), with the column as the file names it, the raw text and the reason. An entry naming one
    column reads it directly (a blank or missing key is rejected too); an entry naming several by a regular
    expression unpivots them. -#}
{% macro rejected_values(model_name, table, entry) -%}
    {%- set pattern = '^(?:' ~ entry.column ~ ')$' -%}
    {%- if modules.re.fullmatch('[a-z0-9_]+', entry.column) %}
        select
            {{ sql_string(model_name) }} as source_model,
            _source_file as source_file,
            _source_row as source_row_number,
            {{ sql_string(entry.get('header', entry.column)) }} as source_column,
            {{ entry.column }} as source_value,
            {{ sql_string(rejection_reason(entry)) }} as reason,
            row_json
        from raw_{{ table }}
        where {{ value_is_rejected(entry.column, entry) }}
    {%- else %}
        select
            {{ sql_string(model_name) }} as source_model,
            _source_file as source_file,
            _source_row as source_row_number,
            regexp_replace(source_column, {{ sql_string(pattern) }}, {{ sql_string(entry.get('header', '\\0')) }})
                as source_column,
            source_value,
            {{ sql_string(rejection_reason(entry)) }} as reason,
            row_json
        from (
            unpivot raw_{{ table }}
            on columns({{ sql_string(pattern) }})
            into name source_column value source_value
        )
        where {{ value_is_rejected('source_value', entry) }}
    {%- endif %}
{%- endmacro %}
