{#- Great-circle (haversine) distance in km between two points in decimal degrees, on the mean Earth radius. -#}
{% macro great_circle_km(latitude_1, longitude_1, latitude_2, longitude_2) -%}
    2 * 6371.0088 * asin(sqrt(
        pow(sin(radians({{ latitude_2 }} - {{ latitude_1 }}) / 2), 2)
        + cos(radians({{ latitude_1 }})) * cos(radians({{ latitude_2 }}))
        * pow(sin(radians({{ longitude_2 }} - {{ longitude_1 }}) / 2), 2)
    ))
{%- endmacro %}
