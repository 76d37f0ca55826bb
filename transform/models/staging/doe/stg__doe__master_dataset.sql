-- One row per school per master-dataset vintage, with the columns of every schema version mapped to one shape.
with source as (
    select * from {{ source('raw', 'master_dataset') }}
)

select
    cast(_vintage as date) as vintage_date,
    {{ typed_value('school_code') }} as school_code,
    -- The AGE id stays text, as published (dim__school.age_id), once its rule has checked it.
    cast({{ typed_value('age_id') }} as varchar) as age_id,
    -- AgeID held ACARA's School AGE ID until 2020 and its Location AGE ID from 2023.
    case when cast(_vintage as date) < date '2023-01-01' then 'school_age_id' else 'location_age_id' end
        as age_id_kind,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    {{ clean_text('street') }} as street,
    {{ clean_text('town_suburb') }} as town_suburb,
    {{ clean_text('postcode') }} as postcode,
    {{ clean_text('phone') }} as phone,
    {{ clean_text('school_email') }} as school_email,
    {{ clean_text('website') }} as website,
    {{ clean_text('fax') }} as fax,
    -- 2018 called the enrolment column Student_number.
    {{ typed_value('latest_year_enrolment_fte', 'coalesce(latest_year_enrolment_fte, student_number)') }}
        as latest_year_enrolment_fte,
    {{ typed_status('latest_year_enrolment_fte', 'coalesce(latest_year_enrolment_fte, student_number)') }}
        as latest_year_enrolment_fte_status,
    {{ typed_value('indigenous_pct') }} as indigenous_pct,
    {{ typed_status('indigenous_pct') }} as indigenous_pct_status,
    {{ typed_value('lbote_pct') }} as lbote_pct,
    {{ typed_status('lbote_pct') }} as lbote_pct_status,
    {{ typed_value('icsea_value') }} as icsea_value,
    {{ typed_value('foei_value') }} as foei_value,
    {{ clean_text('level_of_schooling') }} as level_of_schooling,
    {{ clean_text('selective_school') }} as selective_school,
    {{ clean_text('opportunity_class') }} as opportunity_class,
    {{ clean_text('school_specialty_type') }} as school_specialty_type,
    {{ clean_text('school_subtype') }} as school_subtype,
    {{ clean_text('support_classes') }} as support_classes,
    {{ clean_text('preschool_ind') }} as preschool_ind,
    {{ clean_text('distance_education') }} as distance_education,
    {{ clean_text('intensive_english_centre') }} as intensive_english_centre,
    {{ clean_text('school_gender') }} as school_gender,
    {{ clean_text('late_opening_school') }} as late_opening_school,
    {{ typed_value('date_1st_teacher') }} as date_1st_teacher,
    {{ clean_text('lga') }} as lga,
    -- Electorate was split in 2023 into the current and the 2015-2022 boundaries.
    {{ clean_text('coalesce(electorate_from_2023, electorate)') }} as electorate,
    {{ clean_text('coalesce(electorate_2015_2022, electorate)') }} as electorate_2015_2022,
    {{ clean_text('coalesce(fed_electorate_from_2025, fed_electorate)') }} as fed_electorate,
    {{ clean_text('coalesce(fed_electorate_2016_2024, fed_electorate)') }} as fed_electorate_2016_2024,
    {{ clean_text('operational_directorate') }} as operational_directorate,
    {{ clean_text('principal_network') }} as principal_network,
    {{ clean_text('operational_directorate_office') }} as operational_directorate_office,
    {{ clean_text('operational_directorate_office_phone') }} as operational_directorate_office_phone,
    {{ clean_text('operational_directorate_office_address') }} as operational_directorate_office_address,
    {{ clean_text('facs_district') }} as facs_district,
    {{ clean_text('local_health_district') }} as local_health_district,
    {{ clean_text('aecg_region') }} as aecg_region,
    {{ clean_text('asgs_remoteness') }} as asgs_remoteness,
    {{ typed_value('latitude') }} as latitude,
    {{ typed_value('longitude') }} as longitude,
    {{ clean_text('assets_unit') }} as assets_unit,
    {{ clean_text('sa4') }} as sa4,
    {{ clean_text('healthy_canteen') }} as healthy_canteen,
    {{ typed_value('date_extracted') }} as date_extracted,
    {{ source_lineage() }}
from source
where {{ typed_keys_accepted() }}
