from rest_framework import serializers

from .models import Guardian, School, Student


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "name", "code"]


class GuardianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guardian
        fields = ["id", "name", "relationship", "email", "phone", "preferred_language", "is_primary_contact"]


class StudentSerializer(serializers.ModelSerializer):
    school = SchoolSerializer(read_only=True)

    class Meta:
        model = Student
        fields = ["id", "sasid", "local_id", "first_name", "middle_name", "last_name", "date_of_birth", "grade",
                  "primary_disability", "secondary_disability", "primary_language", "active", "school"]


class StudentDetailSerializer(StudentSerializer):
    guardians = GuardianSerializer(many=True, read_only=True)

    class Meta(StudentSerializer.Meta):
        fields = [*StudentSerializer.Meta.fields, "guardians"]
