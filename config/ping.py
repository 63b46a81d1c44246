from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response


@extend_schema(responses={200: inline_serializer("Ping", {"user": serializers.IntegerField()})})
@api_view(["GET"])
def ping(request):
    """The signed-in user's id: a trivial authenticated endpoint (touches no student data), used by benches."""
    return Response({"user": request.user.pk})
