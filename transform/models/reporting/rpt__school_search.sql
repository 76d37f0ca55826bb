-- One row per current school with the text the app's search matches: the school's name, town or suburb, LGA,
-- postcode and code in one normalised string (macro search_text), so that a query's words match in any order.
select
    school_code,
    school_name,
    town_suburb,
    lga,
    postcode,
    {{ search_text("concat_ws(' ', school_name, town_suburb, lga, postcode, school_code)") }} as search_text
from {{ ref('rpt__school_current') }}
where is_current
