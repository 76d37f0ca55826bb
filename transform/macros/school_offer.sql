{#- A Y/N flag of the school list as a boolean (null for anything else, which the models' not_null tests catch). -#}
{% macro yes_no_flag(column) -%}
    case upper({{ column }})
        when 'Y' then true
        when 'N' then false
    end
{%- endmacro %}

{#- A published website as a link: blank is null, and an address without a scheme gets https://. -#}
{% macro website_url(column) -%}
    case
        when nullif(trim({{ column }}), '') is null then null
        when regexp_matches(trim({{ column }}), '^https?://', 'i') then trim({{ column }})
        else 'https://' || trim({{ column }})
    end
{%- endmacro %}

{#- A support class type without the words every type starts with: "Supporting students with autism (Au)" becomes
    "autism (Au)" (rpt__school_support_class capitalises it). -#}
{% macro support_class_need(column) -%}
    regexp_replace({{ column }}, '^Supporting students (with |who are )?', '', 'i')
{%- endmacro %}

{#- Text in the one shape search compares: lower case, apostrophes dropped (St Mary's -> st marys), every other run
    of characters that are not letters or digits one space, no space at either end. The app normalises a query the
    same way, then requires every word of it in the text. -#}
{% macro search_text(column) -%}
    trim(regexp_replace(
        regexp_replace(lower({{ column }}), '[''’`]', '', 'g'),
        '[^a-z0-9]+', ' ', 'g'
    ))
{%- endmacro %}
