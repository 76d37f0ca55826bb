select
    {{ typed_value('school_code') }} as school_code,
    {{ strip_footnotes(clean_text('school_name')) }} as school_name,
    {{ clean_text('postcode') }} as postcode,
    {{ clean_text('town_suburb') }} as town_suburb,
    {{ clean_text('operational_directorate') }} as operational_directorate,
    {{ clean_text('principal_network') }} as principal_network,
    {{ clean_text('class_type') }} as support_class_type,
    cast(_vintage as date) as vintage_date,
    {{ source_lineage() }}
from {{ source('raw', 'master_dataset_support_classes') }}
where {{ typed_keys_accepted() }}
