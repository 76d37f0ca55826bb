-- Selective entry scores with the school code their name matches in any master-dataset vintage. Names match
-- case-insensitively, first as written without parentheses ("Sydney Secondary College (Balmain Campus)"), then
-- without the parenthesised part ("Hurlstone Agricultural High School (Day)"); a name matching no school, or
-- several, is left without a code.
with school_names as (
    select
        lower(school_name) as name_key,
        min(school_code) as school_code,
        count(distinct school_code) as codes
    from {{ ref('stg__doe__master_dataset') }}
    group by lower(school_name)
),

scores as (
    select
        *,
        lower(trim(regexp_replace(school_name, '[()]', '', 'g'))) as name_as_written,
        lower(trim(regexp_replace(school_name, '\s*\(.*\)', '', 'g'))) as name_without_qualifier
    from {{ ref('stg__doe__selective_entry_scores') }}
)

select
    -- RF02 is off on the next line: sqlfluff reads the names in DuckDB's exclude () as unqualified references.
    scores.* exclude (name_as_written, name_without_qualifier),  -- noqa: RF02
    case
        when as_written.codes = 1 then as_written.school_code
        when without_qualifier.codes = 1 then without_qualifier.school_code
    end as school_code
from scores
left join school_names as as_written on scores.name_as_written = as_written.name_key
left join school_names as without_qualifier on scores.name_without_qualifier = without_qualifier.name_key
