from django.shortcuts import render


def home(request):
    return render(request, "home.html")


def year_plan_choose(request):
    raise NotImplementedError


def year_plan_edit(request, province_id, year):
    raise NotImplementedError
