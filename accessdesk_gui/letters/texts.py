"""Letter texts, English and Spanish, kept as data.

Written for a patient reading level. The Spanish is written for Spanish readers, not
translated line by line, and addresses the reader as "usted". Placeholders in {braces}
are filled with escaped values; the texts themselves may use <b> and <i>.
Legal citations live in requirements.py and render.py, not in what the patient reads.
The explanation of each ground is keyed by the domain's GroundCode (domain/denials.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accessdesk_gui.domain.denials import GroundCode

# Office for Civil Rights complaint channels (45 CFR 160.306); check before a release.
_HHS_EN = (
    "You can also file a complaint with the U.S. Department of Health and Human Services, "
    "Office for Civil Rights: online at www.hhs.gov/ocr/complaints, by phone at "
    "1-800-368-1019 (TDD 1-800-537-7697), or by mail to 200 Independence Avenue, S.W., "
    "Washington, D.C. 20201. You must file it within <b>180 days</b> of when you learned "
    "about the problem. We will not treat you differently for filing a complaint."
)
_HHS_ES = (
    "También puede presentar una queja ante la Oficina de Derechos Civiles del Departamento "
    "de Salud y Servicios Humanos de los EE. UU. (HHS): en línea en www.hhs.gov/ocr/complaints, "
    "por teléfono al 1-800-368-1019 (TDD 1-800-537-7697) o por correo a 200 Independence "
    "Avenue, S.W., Washington, D.C. 20201. Tiene <b>180 días</b> para hacerlo, a partir del "
    "momento en que supo del problema. Presentar una queja no cambiará el trato que le damos."
)

TEXTS: Mapping[str, Mapping[str, Any]] = {
    "en": {
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "date_label": "Date",
        "request_no": "Request no.",
        "patient": "Patient",
        "phone": "Phone",
        "page": "Page {n} of {total}",
        "continued": "Request no. {number} (continued)",
        "salutation": "Dear {name}:",
        "closing": "Sincerely,",
        "questions": "If you have questions, please call us at {phone}.",
        "unit": {"pages": ("page", "pages"), "files": ("file", "files")},
        "range": "{start} to {end}",
        "range_from": "from {start}",
        "range_to": "up to {end}",
        "complaint": (
            "If you want to complain about this decision, you can contact {contact} at {phone}."
        ),
        "hhs": _HHS_EN,
        "acknowledgement": {
            "subject": "We received your request for health records",
            "received": "We received your request for copies of health records on {received}.",
            "summary": "You asked for: {summary}.",
            "due": (
                "The law gives us up to 30 days to answer. By <b>{due}</b> we will send you "
                "the records, or a letter that explains any part we cannot give you. We "
                "often finish sooner."
            ),
            "fee": (
                "We estimate the cost of your copies at <b>{fee}</b>. This is only an "
                "estimate. We charge only for making and sending the copies, never for "
                "finding your records."
            ),
        },
        "clarification": {
            "subject": "We need more information about your request",
            "intro": (
                "Thank you for your request for health records. So that we can send you "
                "what you need, please tell us more about the following:"
            ),
            "reply": (
                "Please call us at {phone} or write to us at the address above. The sooner "
                "you answer, the sooner we can send your records."
            ),
            "clock": (
                "Our deadline does not stop while we wait for your answer. We will still "
                "answer your request by <b>{due}</b>. If we do not hear from you, we will "
                "send what we can based on your original request."
            ),
        },
        "extension": {
            "subject": "We need more time to answer your request",
            "intro": (
                "We received your request for health records on {received}. We are sorry, "
                "but we need more time to answer it."
            ),
            "reasons": "Why we need more time:",
            "act_by": (
                "We will answer your request by <b>{act_by}</b>. This is the only time we can "
                "extend our deadline."
            ),
        },
        "records_ready": {
            "subject": "Your health records",
            "intro": (
                "Here are the health records you asked for. This list shows what we are sending:"
            ),
            "columns": ("Records", "Dates", "Amount"),
            "delivery": "{delivery}",
            "fee": "The cost of these copies is <b>{fee}</b>.",
            "check": (
                "Please check the list. If something you asked for is missing, call us at {phone}."
            ),
        },
        "email_risk": {
            "subject": "About sending your records by regular email",
            "intro": (
                "You asked us to send health records by email to <b>{email}</b>. Regular "
                "email is not encrypted, which means it is not locked with a code. So:"
            ),
            "risks": (
                "Someone other than you could read it while it travels over the internet.",
                "If the address has a mistake, the records could go to a stranger.",
                "Copies may stay on email servers and devices that we do not control.",
            ),
            "right": (
                "If you still want regular email after knowing these risks, you have the "
                "right to get your records this way. If you would like a safer way, call us "
                "at {phone} and we will tell you what we can offer."
            ),
            "return": (
                "Please fill in and sign the form below and send it back to us. We will not "
                "send records by regular email until we have your answer."
            ),
            "form_title": "Your choice",
            "accept": (
                "I understand the risks. I still want my records sent by regular "
                "(unencrypted) email to: {email}"
            ),
            "decline": "I do not want regular email. Please contact me about another way.",
            "signature": "Signature",
            "date": "Date",
            "print_name": "Name (please print)",
        },
        "denial": {
            "subject": "Our answer to your request for health records",
            "intro": (
                "We have looked at your request for health records. We cannot give you the "
                "records described below."
            ),
            "why": "Why we cannot give you these records:",
            "withheld": "Records we are not giving you: {withheld}",
            "detail": "More detail: {detail}",
        },
        "partial_denial": {
            "subject": "Our answer to your request for health records",
            "intro": (
                "We have looked at your request for health records. We are giving you part "
                "of what you asked for, but not all of it."
            ),
            "released": "What we are giving you: {released}",
            "why": "What we are not giving you, and why:",
            "withheld": "Records we are not giving you: {withheld}",
            "detail": "More detail: {detail}",
        },
        "grounds": {
            GroundCode.PSYCHOTHERAPY_NOTES: (
                "You asked for psychotherapy notes. These are a therapist's private notes "
                "about counseling sessions, kept apart from your main record. The law lets "
                "us keep these notes private."
            ),
            GroundCode.LEGAL_PROCEEDING: (
                "Some of the information was put together for a court case or other legal "
                "proceeding, or because we expect one. The law lets us hold back this kind "
                "of information."
            ),
            GroundCode.INMATE_COPY: (
                "You are in a correctional facility, and we give care for that facility. A "
                "copy could put the health or safety of you, other inmates or staff at "
                "risk. You can still ask to look at the records in person."
            ),
            GroundCode.RESEARCH_IN_PROGRESS: (
                "The information comes from a research study that is still going on. When "
                "you joined the study, you agreed not to see it until the study ends. You "
                "can ask for it again when the study is over."
            ),
            GroundCode.PRIVACY_ACT: (
                "These records are covered by the federal Privacy Act, which allows us to "
                "deny access to them in this case."
            ),
            GroundCode.CONFIDENTIAL_SOURCE: (
                "Someone who is not a health care provider gave us this information after we "
                "promised to keep it private. Sharing it would likely show who that person is."
            ),
            GroundCode.ENDANGERMENT: (
                "A licensed health care professional decided that seeing this information is "
                "likely to put your life or physical safety, or someone else's, in danger."
            ),
            GroundCode.HARM_TO_OTHER_PERSON: (
                "The information is about another person, who is not a health care provider. "
                "A licensed health care professional decided that sharing it is likely to "
                "cause that person serious harm."
            ),
            GroundCode.PERSONAL_REPRESENTATIVE_HARM: (
                "You asked as the patient's personal representative. A licensed health care "
                "professional decided that giving you this information is likely to cause "
                "serious harm to the patient or to another person."
            ),
        },
        "review_right": (
            "You have the right to ask for a review of this decision. Another licensed health "
            "care professional, who was not part of this decision, will look at it again, "
            "and we will follow what they decide. To ask for a review: {review_how}"
        ),
        "review_right_mixed": (
            "You can ask for a review only of the parts we held back because of a health "
            "care professional's decision."
        ),
        "other_holder": (
            "We do not have some of the information you asked for. We believe it is kept by: "
            "{other_holder}. You can send your request there."
        ),
        "review_referral": {
            "subject": "We sent your request for a review",
            "intro": (
                "On {requested}, you asked us to review our decision not to give you some or "
                "all of the health records you asked for."
            ),
            "reviewer": (
                "We have sent your request to <b>{reviewer}</b>, {licence}. This licensed "
                "health care professional did not take part in the first decision."
            ),
            "next": (
                "The reviewer will decide within a reasonable time. We will send you the "
                "decision in writing, and we will follow it."
            ),
        },
        "review_determination": {
            "subject": "The result of the review you asked for",
            "intro": (
                "You asked for a review of our decision not to give you some health records. "
                "The review was done by <b>{reviewer}</b>, {licence}, a licensed health care "
                "professional who did not take part in the first decision."
            ),
            "uphold": (
                "<b>The reviewer agreed with the first decision.</b> We will not give you the "
                "records that were held back."
            ),
            "reverse": (
                "<b>The reviewer did not agree with the first decision.</b> We will give you "
                "the records that were held back."
            ),
            "reverse_next": "We will contact you soon to ask how you want to receive them.",
            "partly_reverse": (
                "<b>The reviewer agreed with part of the first decision and disagreed with the "
                "rest.</b> We will give you: {released}. We will still not give you the rest "
                "of the records that were held back."
            ),
            "access": "{access}",
        },
    },
    "es": {
        "months": [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        "date_label": "Fecha",
        "request_no": "Solicitud n.º",
        "patient": "Paciente",
        "phone": "Teléfono",
        "page": "Página {n} de {total}",
        "continued": "Solicitud n.º {number} (continuación)",
        "salutation": "Estimado(a) {name}:",
        "closing": "Atentamente,",
        "questions": "Si tiene alguna pregunta, llámenos al {phone}.",
        "unit": {"pages": ("página", "páginas"), "files": ("archivo", "archivos")},
        "range": "del {start} al {end}",
        "range_from": "desde el {start}",
        "range_to": "hasta el {end}",
        "complaint": (
            "Si no está de acuerdo con esta decisión y desea presentar una queja, puede "
            "comunicarse con {contact} al {phone}."
        ),
        "hhs": _HHS_ES,
        "acknowledgement": {
            "subject": "Recibimos su solicitud de expediente médico",
            "received": "El {received} recibimos su solicitud de copias del expediente médico.",
            "summary": "Usted pidió: {summary}.",
            "due": (
                "La ley nos da hasta 30 días para responderle. A más tardar el <b>{due}</b> le "
                "enviaremos el expediente, o una carta que le explique qué parte no podemos "
                "entregarle. Muchas veces terminamos antes."
            ),
            "fee": (
                "Calculamos que sus copias costarán alrededor de <b>{fee}</b>. Es solo un "
                "cálculo aproximado. Solo cobramos por hacer y enviar las copias, nunca por "
                "buscar su expediente."
            ),
        },
        "clarification": {
            "subject": "Necesitamos más información sobre su solicitud",
            "intro": (
                "Gracias por su solicitud de expediente médico. Para poder enviarle lo que "
                "necesita, le pedimos que nos aclare lo siguiente:"
            ),
            "reply": (
                "Llámenos al {phone} o escríbanos a la dirección que aparece arriba. Mientras "
                "antes nos conteste, antes podremos enviarle su expediente."
            ),
            "clock": (
                "El plazo que tenemos para responderle sigue corriendo mientras esperamos su "
                "respuesta. De todos modos le responderemos a más tardar el <b>{due}</b>. Si no "
                "sabemos de usted, le enviaremos lo que podamos según lo que pidió al principio."
            ),
        },
        "extension": {
            "subject": "Necesitamos más tiempo para responder a su solicitud",
            "intro": (
                "El {received} recibimos su solicitud de expediente médico. Lo sentimos, pero "
                "necesitamos más tiempo para responderle."
            ),
            "reasons": "Por qué necesitamos más tiempo:",
            "act_by": (
                "Le daremos una respuesta a más tardar el <b>{act_by}</b>. Esta es la única vez "
                "que podemos extender el plazo."
            ),
        },
        "records_ready": {
            "subject": "Su expediente médico",
            "intro": (
                "Le enviamos el expediente médico que nos pidió. Esta lista muestra lo "
                "que incluimos:"
            ),
            "columns": ("Documentos", "Fechas", "Cantidad"),
            "delivery": "{delivery}",
            "fee": "El costo de estas copias es de <b>{fee}</b>.",
            "check": (
                "Revise la lista, por favor. Si falta algo que usted pidió, llámenos al {phone}."
            ),
        },
        "email_risk": {
            "subject": "Sobre el envío de su expediente por correo electrónico normal",
            "intro": (
                "Usted nos pidió que le enviemos su expediente médico por correo electrónico a "
                "<b>{email}</b>. El correo electrónico normal no está cifrado, es decir, no "
                "está protegido con un código. Por eso:"
            ),
            "risks": (
                "Otra persona podría leerlo mientras viaja por internet.",
                "Si la dirección tiene un error, el expediente podría llegarle a un desconocido.",
                "Pueden quedar copias en servidores y aparatos que nosotros no controlamos.",
            ),
            "right": (
                "Si aun conociendo estos riesgos usted prefiere el correo electrónico normal, "
                "tiene derecho a recibir su expediente de esa forma. Si prefiere una forma más "
                "segura, llámenos al {phone} y le diremos qué opciones tenemos."
            ),
            "return": (
                "Por favor, llene y firme el formulario de abajo y devuélvanoslo. No le "
                "enviaremos nada por correo electrónico normal hasta recibir su respuesta."
            ),
            "form_title": "Su decisión",
            "accept": (
                "Entiendo los riesgos. Aun así, quiero recibir mi expediente por correo "
                "electrónico normal (sin cifrar) en: {email}"
            ),
            "decline": (
                "No quiero recibirlo por correo electrónico normal. Comuníquense conmigo para "
                "acordar otra forma."
            ),
            "signature": "Firma",
            "date": "Fecha",
            "print_name": "Nombre en letra de molde",
        },
        "denial": {
            "subject": "Nuestra respuesta a su solicitud de expediente médico",
            "intro": (
                "Revisamos su solicitud de expediente médico. No podemos entregarle los "
                "documentos que se describen a continuación."
            ),
            "why": "Por qué no podemos entregarle estos documentos:",
            "withheld": "Documentos que no le entregaremos: {withheld}",
            "detail": "Más información: {detail}",
        },
        "partial_denial": {
            "subject": "Nuestra respuesta a su solicitud de expediente médico",
            "intro": (
                "Revisamos su solicitud de expediente médico. Le entregaremos una parte de lo "
                "que pidió, pero no todo."
            ),
            "released": "Lo que sí le entregamos: {released}",
            "why": "Lo que no le entregamos, y por qué:",
            "withheld": "Documentos que no le entregaremos: {withheld}",
            "detail": "Más información: {detail}",
        },
        "grounds": {
            GroundCode.PSYCHOTHERAPY_NOTES: (
                "Usted pidió notas de psicoterapia. Son las notas privadas que escribe un "
                "terapeuta sobre las sesiones de terapia y que se guardan aparte de su "
                "expediente principal. La ley nos permite mantenerlas en privado."
            ),
            GroundCode.LEGAL_PROCEEDING: (
                "Parte de la información se reunió para un juicio u otro proceso legal, o "
                "porque esperamos que lo haya. La ley nos permite no entregar este tipo de "
                "información."
            ),
            GroundCode.INMATE_COPY: (
                "Usted se encuentra en un centro penitenciario y nosotros damos atención "
                "médica para ese centro. Una copia podría poner en riesgo su salud o su "
                "seguridad, o la de otros reclusos o del personal. Aun así, puede pedir ver "
                "los documentos en persona."
            ),
            GroundCode.RESEARCH_IN_PROGRESS: (
                "La información viene de un estudio de investigación que todavía no termina. "
                "Cuando usted entró al estudio, aceptó no verla hasta que el estudio "
                "terminara. Podrá volver a pedirla cuando el estudio haya terminado."
            ),
            GroundCode.PRIVACY_ACT: (
                "Estos documentos están protegidos por la Ley federal de Privacidad (Privacy "
                "Act), que en este caso nos permite negar el acceso."
            ),
            GroundCode.CONFIDENTIAL_SOURCE: (
                "Una persona que no es proveedor de atención médica nos dio esta información "
                "después de que le prometimos mantenerla en privado. Si la compartimos, "
                "probablemente se sabría quién es esa persona."
            ),
            GroundCode.ENDANGERMENT: (
                "Un profesional de la salud con licencia determinó que ver esta información "
                "probablemente pondría en peligro su vida o su seguridad física, o la de otra "
                "persona."
            ),
            GroundCode.HARM_TO_OTHER_PERSON: (
                "La información trata sobre otra persona, que no es proveedor de atención "
                "médica. Un profesional de la salud con licencia determinó que compartirla "
                "probablemente le causaría un daño grave a esa persona."
            ),
            GroundCode.PERSONAL_REPRESENTATIVE_HARM: (
                "Usted hizo la solicitud como representante personal del paciente. Un "
                "profesional de la salud con licencia determinó que entregarle esta "
                "información probablemente le causaría un daño grave al paciente o a otra "
                "persona."
            ),
        },
        "review_right": (
            "Usted tiene derecho a pedir que se revise esta decisión. Otro profesional de la "
            "salud con licencia, que no participó en ella, la volverá a examinar, y nosotros "
            "haremos lo que decida. Para pedir la revisión: {review_how}"
        ),
        "review_right_mixed": (
            "Solo puede pedir la revisión de lo que no le entregamos por decisión de un "
            "profesional de la salud."
        ),
        "other_holder": (
            "No tenemos parte de la información que usted pidió. Creemos que la tiene: "
            "{other_holder}. Puede enviar su solicitud allí."
        ),
        "review_referral": {
            "subject": "Enviamos su solicitud de revisión",
            "intro": (
                "El {requested}, usted nos pidió revisar nuestra decisión de no entregarle "
                "una parte o la totalidad del expediente médico que solicitó."
            ),
            "reviewer": (
                "Enviamos su solicitud a <b>{reviewer}</b>, {licence}. Este profesional de la "
                "salud con licencia no participó en la primera decisión."
            ),
            "next": (
                "La persona encargada de la revisión decidirá en un plazo razonable. Le "
                "enviaremos la decisión por escrito y la cumpliremos."
            ),
        },
        "review_determination": {
            "subject": "El resultado de la revisión que usted pidió",
            "intro": (
                "Usted pidió que se revisara nuestra decisión de no entregarle parte de su "
                "expediente médico. La revisión la hizo <b>{reviewer}</b>, {licence}, un "
                "profesional de la salud con licencia que no participó en la primera decisión."
            ),
            "uphold": (
                "<b>La revisión confirmó la primera decisión.</b> No le entregaremos los "
                "documentos que se le negaron."
            ),
            "reverse": (
                "<b>La revisión cambió la primera decisión.</b> Le entregaremos los documentos "
                "que se le habían negado."
            ),
            "reverse_next": "Pronto nos comunicaremos con usted para saber cómo quiere recibirlos.",
            "partly_reverse": (
                "<b>La revisión confirmó una parte de la primera decisión y cambió el resto.</b> "
                "Le entregaremos: {released}. El resto de los documentos que se le negaron "
                "seguirá sin entregarse."
            ),
            "access": "{access}",
        },
    },
}
