select
    {{ clean_text('logical_path') }} as field_name,
    {{ decode_number('data_element_id', 'integer') }} as data_element_id,
    {{ decode_number('concept_id', 'integer') }} as concept_id,
    {{ decode_number('property_id', 'integer') }} as property_id,
    {{ clean_text('property_name') }} as property_name,
    _vintage as vintage,
    _source_file as source_file
from {{ source('raw', 'master_dataset_metadata_ids') }}
