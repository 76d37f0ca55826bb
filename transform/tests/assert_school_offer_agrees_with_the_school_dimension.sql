-- The offer's opportunity class and selective status come from the latest school list (prep__school_vintage), the
-- school's current version in dim__school from the same lists by another path (the type-2 history): they must agree,
-- and every website must be a link.
select
    offer.school_code,
    offer.has_opportunity_class,
    school.opportunity_class,
    offer.selective_school,
    school.selective_school as dimension_selective_school,
    offer.website_url
from {{ ref('rpt__school_offer') }} as offer
inner join {{ ref('rpt__school_current') }} as school on offer.school_code = school.school_code
where
    offer.has_opportunity_class != (school.opportunity_class = 'Y')
    or offer.selective_school != school.selective_school
    or not regexp_matches(offer.website_url, '^https?://[^ ]+$', 'i')
