{#- The typed columns of every staging model: for each raw table it reads, which raw column (or columns, as a regular
    expression such as 'hc_([0-9]{4})') holds the values of which typed column (`as`), the header the file gives
    that column (`header`; a \1 in it stands for the first group of the expression), and the rule in
    typed_values.sql its values must meet. `key: true` leaves a row whose value is rejected out of the model (it is
    a key: the row cannot be placed); `required: true` (the default for keys) rejects a blank as well. A longitude
    names its row's `latitude` column, and ACARA's coordinates the `state` column that says where they must be.

    The staging model types each column with `typed_value` / `typed_status` (which read the rule here), and
    quarantine__rejected_rows lists every raw value a rule rejects, so the two cannot disagree. -#}
{% macro typed_columns() %}
    {%- set acara_identity = [
        {'as': 'calendar_year', 'column': 'calendar_year', 'header': 'Calendar Year', 'rule': 'year', 'key': true},
        {'as': 'acara_sml_id', 'column': 'acara_sml_id', 'header': 'ACARA.SML.ID', 'rule': 'id', 'key': true},
        {'as': 'location_age_id', 'column': 'location_age_id', 'header': 'Location AGE ID', 'rule': 'id'},
        {'as': 'school_age_id', 'column': 'school_age_id', 'header': 'School AGE ID', 'rule': 'id'},
    ] %}
    {%- set year = {'as': 'calendar_year', 'column': 'year', 'rule': 'year', 'key': true} %}
    {%- set levels = {'as': 'attendance_rate', 'column': 'primary|junior_secondary|senior_secondary|secondary',
        'rule': 'percentage'} %}
    {%- set remoteness = [
        {'as': 'attendance_rate', 'column': 'major_cities|regional', 'rule': 'percentage'},
        {'as': 'attendance_rate', 'column': 'remote_very_remote', 'header': 'remote/very_remote', 'rule': 'percentage'},
    ] %}
    {%- set nsw_total = {'as': 'attendance_rate', 'column': 'nsw_total', 'header': 'NSW_total', 'rule': 'percentage'} %}
    {{ return({
        'stg__doe__master_dataset': {
            'master_dataset': [
                {'as': 'school_code', 'column': 'school_code', 'header': 'School_code', 'rule': 'school_code',
                    'key': true},
                {'as': 'age_id', 'column': 'age_id', 'header': 'AgeID', 'rule': 'id'},
                {'as': 'latest_year_enrolment_fte', 'column': 'latest_year_enrolment_fte',
                    'header': 'latest_year_enrolment_FTE', 'rule': 'number'},
                {'as': 'latest_year_enrolment_fte', 'column': 'student_number', 'header': 'Student_number',
                    'rule': 'number'},
                {'as': 'indigenous_pct', 'column': 'indigenous_pct', 'header': 'Indigenous_pct', 'rule': 'percentage'},
                {'as': 'lbote_pct', 'column': 'lbote_pct', 'header': 'LBOTE_pct', 'rule': 'percentage'},
                {'as': 'icsea_value', 'column': 'icsea_value', 'header': 'ICSEA_value', 'rule': 'whole_number'},
                {'as': 'foei_value', 'column': 'foei_value', 'header': 'FOEI_Value', 'rule': 'whole_number'},
                {'as': 'date_1st_teacher', 'column': 'date_1st_teacher', 'header': 'Date_1st_teacher', 'rule': 'date'},
                {'as': 'latitude', 'column': 'latitude', 'header': 'Latitude', 'rule': 'latitude', 'required': true},
                {'as': 'longitude', 'column': 'longitude', 'header': 'Longitude', 'rule': 'longitude',
                    'latitude': 'latitude', 'required': true},
                {'as': 'date_extracted', 'column': 'date_extracted', 'header': 'Date_extracted', 'rule': 'date',
                    'required': true},
            ],
        },
        'stg__doe__master_dataset_support_classes': {
            'master_dataset_support_classes': [
                {'as': 'school_code', 'column': 'school_code', 'rule': 'school_code', 'key': true},
            ],
        },
        'stg__doe__master_dataset_dictionary': {'master_dataset_dictionary': []},
        'stg__doe__master_dataset_metadata_ids': {
            'master_dataset_metadata_ids': [
                {'as': 'data_element_id', 'column': 'data_element_id', 'rule': 'id'},
                {'as': 'concept_id', 'column': 'concept_id', 'rule': 'id'},
                {'as': 'property_id', 'column': 'property_id', 'rule': 'id'},
            ],
        },
        'stg__doe__attendance': {
            'attendance': [
                {'as': 'school_code', 'column': 'school_code', 'rule': 'school_code', 'key': true, 'required': false},
                {'as': 'attendance_rate', 'column': '_([0-9]{4})', 'header': '\\1', 'rule': 'percentage'},
            ],
        },
        'stg__doe__statewide_attendance_by_level': {
            'statewide_attendance_by_level': [year, levels, nsw_total],
            'statewide_aboriginal_attendance_by_level': [year, levels,
                {'as': 'attendance_rate', 'column': 'all_nsw', 'header': 'all_NSW', 'rule': 'percentage'}],
        },
        'stg__doe__statewide_attendance_by_remoteness': {
            'statewide_attendance_by_remoteness': [year] + remoteness + [nsw_total],
            'statewide_aboriginal_attendance_by_remoteness': [year] + remoteness + [nsw_total],
        },
        'stg__doe__composite_classes': {
            'composite_classes': [
                {'as': 'school_code', 'column': 'school_code', 'header': 'School code', 'rule': 'school_code',
                    'key': true},
                {'as': 'composite_class_count', 'column': 'composite_class_count_([0-9]{2})',
                    'header': 'COMPOSITE_CLASS_COUNT_\\1', 'rule': 'whole_number'},
                {'as': 'composite_class_students', 'column': 'composite_class_students_([0-9]{2})',
                    'header': 'COMPOSITE_CLASS_STUDENTS_\\1', 'rule': 'whole_number'},
                {'as': 'pct_composite_classes', 'column': 'pct_composite_classes_([0-9]{2})',
                    'header': 'PCT_COMPOSITE_CLASSES_\\1', 'rule': 'percentage'},
                {'as': 'pct_composite_class_students', 'column': 'pct_composite_class_students_([0-9]{2})',
                    'header': 'PCT_COMPOSITE_CLASS_STUDENTS_\\1', 'rule': 'percentage'},
            ],
        },
        'stg__doe__enrolment_headcount': {
            'enrolment_headcount': [
                {'as': 'school_code', 'column': 'school_code', 'header': 'School Code', 'rule': 'school_code',
                    'key': true},
                {'as': 'headcount', 'column': 'hc_([0-9]{4})', 'header': 'HC_\\1', 'rule': 'whole_number'},
            ],
        },
        'stg__doe__enrolment_by_grade': {
            'enrolment_by_grade': [
                {'as': 'school_code', 'column': 'school_code', 'header': 'School Code', 'rule': 'school_code',
                    'key': true},
                {'as': 'calendar_year', 'column': 'calendar_year', 'header': 'Calendar Year', 'rule': 'year',
                    'key': true},
                {'as': 'enrolment_fte', 'column': 'kindergarten', 'header': 'Kindergarten', 'rule': 'number'},
                {'as': 'enrolment_fte', 'column': 'year_([0-9]+)', 'header': 'Year \\1', 'rule': 'number'},
                {'as': 'enrolment_fte', 'column': 'primary_ungraded', 'header': 'Primary Ungraded', 'rule': 'number'},
                {'as': 'enrolment_fte', 'column': 'secondary_ungraded', 'header': 'Secondary Ungraded',
                    'rule': 'number'},
                {'as': 'school_total_fte', 'column': 'school_total', 'header': 'School Total', 'rule': 'number'},
            ],
        },
        'stg__doe__nongov_locations': {
            'nongov_locations': [
                {'as': 'age_id', 'column': 'age_id', 'header': 'ageID', 'rule': 'id', 'key': true},
                {'as': 'head_campus_age_id', 'column': 'head_campus_age_id', 'header': 'head_campus_ageID',
                    'rule': 'id'},
                {'as': 'latitude', 'column': 'latitude', 'rule': 'latitude'},
                {'as': 'longitude', 'column': 'longitude', 'rule': 'longitude', 'latitude': 'latitude'},
            ],
        },
        'stg__doe__intake_zones': {
            'intake_zones': [
                {'as': 'school_code', 'column': 'use_id', 'header': 'USE_ID', 'rule': 'school_code', 'key': true},
                {'as': 'added_on', 'column': 'add_date', 'header': 'ADD_DATE', 'rule': 'compact_date'},
                {'as': 'intake_year', 'column': 'kindergart|year[0-9]+', 'rule': 'intake_year'},
            ],
        },
        'stg__doe__selective_entry_scores': {
            'selective_entry_scores': [
                {'as': 'minimum_entry_score', 'column': 'entry_score_([0-9]{4})', 'rule': 'number'},
            ],
        },
        'stg__acara__school_profile': {
            'acara_school_profile': acara_identity + [
                {'as': 'icsea', 'column': 'icsea', 'header': 'ICSEA', 'rule': 'whole_number'},
                {'as': 'icsea_percentile', 'column': 'icsea_percentile', 'header': 'ICSEA Percentile',
                    'rule': 'percentile'},
                {'as': 'bottom_sea_quarter_pct', 'column': 'bottom_sea_quarterx', 'header': 'Bottom SEA Quarter (%)',
                    'rule': 'percentage'},
                {'as': 'lower_middle_sea_quarter_pct', 'column': 'lower_middle_sea_quarterx',
                    'header': 'Lower Middle SEA Quarter (%)', 'rule': 'percentage'},
                {'as': 'upper_middle_sea_quarter_pct', 'column': 'upper_middle_sea_quarterx',
                    'header': 'Upper Middle SEA Quarter (%)', 'rule': 'percentage'},
                {'as': 'top_sea_quarter_pct', 'column': 'top_sea_quarterx', 'header': 'Top SEA Quarter (%)',
                    'rule': 'percentage'},
                {'as': 'teaching_staff', 'column': 'teaching_staff', 'header': 'Teaching Staff', 'rule': 'number'},
                {'as': 'teaching_staff_fte', 'column': 'full_time_equivalent_teaching_staff',
                    'header': 'Full Time Equivalent Teaching Staff', 'rule': 'number'},
                {'as': 'non_teaching_staff', 'column': 'non_teaching_staff', 'header': 'Non-Teaching Staff',
                    'rule': 'number'},
                {'as': 'non_teaching_staff_fte', 'column': 'full_time_equivalent_non_teaching_staff',
                    'header': 'Full Time Equivalent Non-Teaching Staff', 'rule': 'number'},
                {'as': 'total_enrolments', 'column': 'total_enrolments', 'header': 'Total Enrolments',
                    'rule': 'whole_number'},
                {'as': 'girls_enrolments', 'column': 'girls_enrolments', 'header': 'Girls Enrolments',
                    'rule': 'whole_number'},
                {'as': 'boys_enrolments', 'column': 'boys_enrolments', 'header': 'Boys Enrolments',
                    'rule': 'whole_number'},
                {'as': 'enrolments_fte', 'column': 'full_time_equivalent_enrolments',
                    'header': 'Full Time Equivalent Enrolments', 'rule': 'number'},
                {'as': 'indigenous_pct', 'column': 'indigenous_enrolmentsx', 'header': 'Indigenous Enrolments (%)',
                    'rule': 'percentage'},
                {'as': 'lbote_pct', 'column': 'language_background_other_than_english_yesx',
                    'header': 'Language Background Other Than English - Yes (%)', 'rule': 'percentage'},
            ],
        },
        'stg__acara__school_location': {
            'acara_school_location': acara_identity + [
                {'as': 'rolled_school_id', 'column': 'rolled_school_id', 'header': 'Rolled School ID', 'rule': 'id'},
                {'as': 'latitude', 'column': 'latitude', 'header': 'Latitude', 'rule': 'latitude', 'state': 'state'},
                {'as': 'longitude', 'column': 'longitude', 'header': 'Longitude', 'rule': 'longitude',
                    'latitude': 'latitude', 'state': 'state'},
            ],
        },
    }) }}
{% endmacro %}
