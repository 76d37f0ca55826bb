select
    {{ clean_text('logical_path') }} as field_name,
    {{ typed_value('data_element_id') }} as data_element_id,
    {{ typed_value('concept_id') }} as concept_id,
    {{ typed_value('property_id') }} as property_id,
    {{ clean_text('property_name') }} as property_name,
    _vintage as vintage,
    {{ source_lineage() }}
from {{ source('raw', 'master_dataset_metadata_ids') }}
