-- What each current school offers and how to reach it, from its row in the latest school list (prep__school_vintage):
-- contact details, the Y/N flags as booleans, the coded values as labels, and its support classes in the latest
-- year that lists them (rpt__school_support_class). None of these columns is tracked by dim__school.
with latest_listing as (
    select *
    from {{ ref('prep__school_vintage') }}
    qualify row_number() over (
        partition by school_code
        order by vintage_date desc
    ) = 1
),

support_year as (
    select max(calendar_year) as calendar_year
    from {{ ref('rpt__school_support_class') }}
),

support_classes as (
    select
        classes.school_code,
        sum(classes.support_class_count) as support_class_count,
        string_agg(
            classes.support_class_label, '; '
            order by classes.support_class_label
        ) as support_classes
    from {{ ref('rpt__school_support_class') }} as classes
    inner join support_year on classes.calendar_year = support_year.calendar_year
    group by classes.school_code
),

-- The schools of the school list of the support classes' year: a school listed then with no class had none.
listed_in_support_year as (
    select distinct vintage.school_code
    from {{ ref('prep__school_vintage') }} as vintage
    inner join support_year on year(vintage.vintage_date) = support_year.calendar_year
)

select
    school.school_code,
    school.school_name,
    latest_listing.vintage_date as listed_on,
    latest_listing.street,
    latest_listing.town_suburb,
    latest_listing.postcode,
    latest_listing.phone,
    latest_listing.school_email,
    {{ website_url('latest_listing.website') }} as website_url,
    {{ yes_no_flag('latest_listing.preschool_ind') }} as has_preschool,
    {{ yes_no_flag('latest_listing.opportunity_class') }} as has_opportunity_class,
    latest_listing.selective_school,
    latest_listing.selective_school != 'Not Selective' as is_selective,
    {{ yes_no_flag('latest_listing.intensive_english_centre') }} as has_intensive_english_centre,
    case upper(latest_listing.distance_education)
        when 'S' then 'Distance education school'
        when 'C' then 'Distance education centre'
        when 'N' then 'No distance education'
    end as distance_education,
    upper(latest_listing.distance_education) in ('S', 'C') as is_distance_education,
    latest_listing.school_gender,
    {{ yes_no_flag('latest_listing.late_opening_school') }} as is_late_opening,
    support_year.calendar_year as support_class_year,
    case
        when support_classes.school_code is not null then support_classes.support_class_count
        when listed_in_support_year.school_code is not null then 0
    end as support_class_count,
    support_classes.support_classes
from {{ ref('rpt__school_current') }} as school
inner join latest_listing on school.school_code = latest_listing.school_code
cross join support_year
left join support_classes on school.school_code = support_classes.school_code
left join listed_in_support_year on school.school_code = listed_in_support_year.school_code
where school.is_current
