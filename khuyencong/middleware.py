from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """The portal speaks Vietnamese unless the user chose another language with the switcher.

    Django's LocaleMiddleware also follows the browser's Accept-Language header, which would
    show English to a provincial officer whose browser happens to be set up in English.
    Here only the language cookie (set by the switcher) overrides the default.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
