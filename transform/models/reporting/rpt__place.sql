-- The places a person can ask "which schools are for where I live" about: every suburb (with its postcode) and every
-- postcode where a school stands, located at the middle (median latitude and longitude) of the schools there. No
-- gazetteer with suburb or postcode centroids under an open licence ships in a package registry (docs/report_app.md),
-- so the schools' own coordinates stand in: government schools open today and the non-government schools.
with schools as (
    select
        town_suburb as suburb,
        postcode,
        latitude,
        longitude
    from {{ ref('rpt__school_current') }}
    where is_current and latitude is not null and longitude is not null
    union all
    select
        suburb,
        postcode,
        latitude,
        longitude
    from {{ ref('dim__non_government_school') }}
    where school_age_id != -1 and latitude is not null and longitude is not null
),

located as (
    select
        'suburb' as place_kind,
        -- older lists write some towns in capitals: max() takes a mixed-case spelling when there is one (a lower-case
        -- letter sorts after its capital), and names a place alike in every build
        max(suburb) || ' ' || postcode as place_name,
        lower(suburb) || ' ' || postcode as place_id,
        list(latitude) as latitudes,
        list(longitude) as longitudes
    from schools
    where suburb is not null and postcode is not null
    group by lower(suburb), postcode
    union all
    select
        'postcode' as place_kind,
        postcode as place_name,
        postcode as place_id,
        list(latitude) as latitudes,
        list(longitude) as longitudes
    from schools
    where postcode is not null
    group by postcode
),

centred as (
    select
        *,
        -- the median, not the mean: one school placed far off (a school list's coordinate error) cannot move it
        list_aggregate(latitudes, 'median') as latitude,
        list_aggregate(longitudes, 'median') as longitude
    from located
)

select
    {{ surrogate_key(['place_kind', 'place_id']) }} as place_sk,
    place_kind,
    place_name,
    {{ search_text('place_name') }} as search_text,
    latitude,
    longitude,
    len(latitudes) as schools_located_by,
    -- how far the furthest of those schools is from the middle: how rough the location is
    list_max(list_transform(
        list_zip(latitudes, longitudes),
        lambda school: {{ great_circle_km('latitude', 'longitude', 'school[1]', 'school[2]') }}
    )) as spread_km
from centred
