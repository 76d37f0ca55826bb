-- One row per column the master dataset has published, from its two data dictionaries: the 2020 dictionary
-- (type and description) and the 2025 NSW DoE data-element ids. They spell names differently ("School email",
-- "School_Email"), so both are matched on the name the column has in raw.master_dataset: dlt's snake_case of the
-- published header (AgeID -> age_id).
with dictionary as (
    select
        field_name,
        {{ snake_case('field_name') }} as column_name,
        data_type,
        description
    from {{ ref('stg__doe__master_dataset_dictionary') }}
),

metadata_ids as (
    select
        field_name,
        {{ snake_case('field_name') }} as column_name,
        data_element_id,
        concept_id,
        property_id,
        property_name
    from {{ ref('stg__doe__master_dataset_metadata_ids') }}
),

fields as (
    select
        coalesce(metadata_ids.field_name, dictionary.field_name) as field_name,
        coalesce(metadata_ids.column_name, dictionary.column_name) as column_name,
        dictionary.data_type,
        dictionary.description,
        metadata_ids.data_element_id,
        metadata_ids.concept_id,
        metadata_ids.property_id,
        metadata_ids.property_name,
        dictionary.field_name is not null as in_2020_dictionary,
        metadata_ids.field_name is not null as in_2025_metadata
    from dictionary
    full outer join metadata_ids on dictionary.column_name = metadata_ids.column_name
)

select
    {{ surrogate_key(['column_name']) }} as master_dataset_field_sk,
    *
from fields
union all by name
select
    {{ missing_member_key() }} as master_dataset_field_sk,
    'unknown' as field_name,
    'unknown' as column_name,
    false as in_2020_dictionary,
    false as in_2025_metadata
