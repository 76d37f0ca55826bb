{#- Every point (latitude, longitude) lies in NSW: on its mainland, or at Lord Howe Island or Norfolk Island, the two
    island schools the data holds (`coordinate_regions()` in macros/typed_values.sql). A row missing either
    coordinate passes. -#}
{% test inside_nsw(model, latitude='latitude', longitude='longitude') %}
select
    {{ latitude }} as latitude,
    {{ longitude }} as longitude
from {{ model }}
where
    {{ latitude }} is not null
    and {{ longitude }} is not null
    and not {{ point_in_boxes(latitude, longitude, coordinate_regions()['NSW']) }}
{% endtest %}
