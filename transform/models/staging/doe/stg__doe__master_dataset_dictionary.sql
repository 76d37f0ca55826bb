select
    {{ clean_text('field_name') }} as field_name,
    {{ clean_text('type') }} as data_type,
    {{ clean_text('comment') }} as description,
    _vintage as vintage,
    {{ source_lineage() }}
from {{ source('raw', 'master_dataset_dictionary') }}
