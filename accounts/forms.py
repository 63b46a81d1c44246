from django import forms


class OTPCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app", min_length=6, max_length=6,
        widget=forms.TextInput(attrs={"class": "usa-input usa-input--small", "inputmode": "numeric",
                                      "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Enter the 6 digits shown in your authenticator app.")
        return code
