-- Every search text is lower-case words of letters and digits separated by single spaces, and holds each word of the
-- school's normalised name and its code, so that a query's words, normalised the same way, can match.
select
    school_search.school_code,
    school_search.search_text
from {{ ref('rpt__school_search') }} as school_search
where
    not regexp_full_match(school_search.search_text, '[a-z0-9]+( [a-z0-9]+)*')
    or not list_has_all(
        string_split(school_search.search_text, ' '),
        string_split({{ search_text('school_search.school_name') }} || ' ' || school_search.school_code, ' ')
    )
