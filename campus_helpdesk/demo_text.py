"""The words of the demo history: problems per category (following the category guide), places, people.

A ticket's description is put together from parts: a greeting, one report of a problem, when it
started, what it means for the writer, a closing. Every problem says where it usually happens, in
which part of the year it is common, and how quickly it is usually fixed compared with the rest of
its category.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One kind of problem a campus user reports."""

    titles: tuple[str, ...]
    reports: tuple[str, ...]
    places: str
    season: str = "all"
    speed: float = 1.0  # multiplies the category's usual resolution time


CATEGORIES = ("facility", "it", "services")

# One problem is one issue: its titles are interchangeable and so are its reports.
PROBLEMS: dict[str, tuple[Problem, ...]] = {
    "facility": (
        Problem(("Radiator cold", "No heating", "Heating not working", "Freezing room"), (
            "The radiator is stone cold and the room is freezing.",
            "There is no heating at all in here, people are sitting in their coats.",
            "The heating has been off since the weekend; it is about 14 degrees inside.",
            "The radiators only get lukewarm, the room never warms up during the morning lectures.",
        ), "room", "winter"),
        Problem(("Room far too hot", "Air conditioning broken", "Overheated room"), (
            "The air conditioning is not working and the room is unbearably hot by midday.",
            "It is over 30 degrees in the room and the windows cannot be opened.",
            "The cooling has stopped and the room is like an oven in the afternoon.",
        ), "room", "summer"),
        Problem(("Ventilation noisy", "Ventilation not working"), (
            "The ventilation makes a loud rattling noise and then stops completely.",
            "No fresh air is coming in, the ventilation seems to be off.",
        ), "room", "all", 1.2),
        Problem(("Leak from the ceiling", "Water dripping", "Water leak"), (
            "Water is dripping from the ceiling onto the desks.",
            "There is a brown wet patch on the ceiling and it is dripping into a bucket.",
            "Rain comes in through the ceiling every time it rains.",
        ), "room", "all", 0.35),
        Problem(("Flooded floor", "Leaking sink", "Burst pipe"), (
            "There is a leak under the sink and the floor is flooded.",
            "A pipe seems to have burst, water is spreading across the corridor.",
        ), "toilets", "winter", 0.25),
        Problem(("Blocked toilet", "Toilets out of order", "Toilet overflowing"), (
            "Two of the toilets are blocked and one is overflowing.",
            "The toilets do not flush and there is water on the floor.",
            "All cubicles but one are out of order.",
        ), "toilets", "all", 0.5),
        Problem(("Accessible toilet out of order", "Disabled toilet broken"), (
            "The disabled toilet has been out of order for days.",
            "The alarm cord in the accessible toilet is tied up and the door lock is broken.",
        ), "toilets", "all", 0.5),
        Problem(("Lift stuck", "Elevator out of service", "Lift not working"), (
            "The lift is stuck between the second and third floor.",
            "The elevator has been out of service all week, I cannot reach the upper floors with my wheelchair.",
            "The lift doors close on people and then it does not move.",
        ), "building", "all", 0.45),
        Problem(("Broken door lock", "Room cannot be locked"), (
            "The door lock is broken and the room cannot be locked at night.",
            "The key turns but the lock does not catch, so the room stays open.",
        ), "room", "all", 0.7),
        Problem(("Fire door does not close", "Door stuck open"), (
            "The fire door does not close by itself any more.",
            "The door is stuck open and bangs in the wind all day.",
        ), "building", "all", 0.8),
        Problem(("Card reader broken", "Door card reader rejects cards"), (
            "The door card reader rejects every card, nobody can get in.",
            "The card reader at the entrance blinks red for everyone since this morning.",
        ), "building", "term_start", 0.5),
        Problem(("Lights flickering", "Broken lights", "No light"), (
            "Half of the ceiling lights are flickering and give people headaches.",
            "Several lamps above the front rows are broken.",
            "The lights in the corridor are off, it is completely dark in the evening.",
        ), "room", "winter", 0.8),
        Problem(("Power sockets dead", "No power", "Sockets not working"), (
            "None of the power sockets along the wall work, we cannot charge laptops.",
            "The power in this part of the building keeps tripping.",
            "The sockets under the desks have no power.",
        ), "room", "all", 0.6),
        Problem(("Broken chairs", "Wobbly chairs"), (
            "Several chairs in the back rows are broken and wobble dangerously.",
            "Three chairs have broken backrests, someone nearly fell.",
        ), "room", "term_start", 2.0),
        Problem(("Desk broken", "Broken table"), (
            "One of the desks has a loose top that falls off when you lean on it.",
            "A table leg is broken and the table is propped up with books.",
        ), "room", "term_start", 2.0),
        Problem(("Whiteboard loose", "Whiteboard falling off"), (
            "The whiteboard came off the wall on one side.",
            "The whiteboard is hanging loose and moves when you write on it.",
        ), "lecture", "all", 1.5),
        Problem(("Window does not close", "Draughty window", "Broken window"), (
            "The window does not close properly and it is very draughty.",
            "A window pane is cracked and the cold comes in.",
            "The window handle broke off and the window stays tilted open.",
        ), "room", "winter", 1.3),
        Problem(("Blinds stuck", "Broken blinds"), (
            "The blinds are stuck halfway and the projector image cannot be seen in the sun.",
            "The blinds cannot be pulled down any more.",
        ), "lecture", "summer", 1.8),
        Problem(("Room not cleaned", "Dirty room"), (
            "The room has not been cleaned for days; there is rubbish under the seats.",
            "Coffee has been spilled all over the floor and nobody cleaned it.",
            "The floor is sticky and the desks are covered in crumbs.",
        ), "room", "term_start", 0.6),
        Problem(("Bins overflowing", "Rubbish not collected"), (
            "The bins are overflowing and it smells.",
            "The rubbish has not been collected this week and bags are piling up.",
        ), "building", "summer", 0.5),
        Problem(("Mice", "Mouse droppings"), (
            "There are mice in the kitchen area, we saw droppings near the fridge.",
            "A mouse ran across the floor during the seminar.",
        ), "building", "winter", 1.5),
        Problem(("Cockroaches", "Insects in the building"), (
            "I have seen cockroaches in the corridor near the vending machines.",
            "There are ants all over the kitchenette.",
        ), "building", "summer", 1.5),
        Problem(("Icy path", "Path not gritted"), (
            "The path is covered in ice and nobody has gritted it.",
            "The steps at the entrance are frozen over and very slippery.",
        ), "outdoor", "snow", 0.3),
        Problem(("Snow not cleared", "Entrance blocked by snow"), (
            "The snow in front of the entrance has not been cleared and people are slipping.",
            "The ramp is buried in snow and wheelchairs cannot get in.",
        ), "outdoor", "snow", 0.3),
        Problem(("Car park barrier stuck", "Barrier does not open"), (
            "The car park barrier does not open even with a valid permit.",
            "The exit barrier is stuck down and cars are queueing.",
        ), "car_park", "all", 0.6),
        Problem(("Potholes in the car park", "Damaged car park surface"), (
            "There are deep potholes at the entrance of the car park.",
            "The car park surface is breaking up and there is a large hole near the pay machine.",
        ), "car_park", "winter", 2.5),
        Problem(("Car park lights out", "Dark car park"), (
            "The lights in the car park are off, it is dangerous after dark.",
            "Half of the car park lamps are out.",
        ), "car_park", "winter", 1.0),
        Problem(("Noise from building works", "Construction noise"), (
            "The drilling from the building works next door makes teaching impossible.",
            "There is constant hammering from the renovation upstairs during the exam.",
        ), "room", "all", 1.6),
        Problem(("Emergency exit blocked", "Fire extinguisher missing"), (
            "The emergency exit is blocked by stacked furniture.",
            "The fire extinguisher in the corridor is missing and the exit sign is dark.",
        ), "building", "all", 0.5),
        Problem(("Water fountain broken", "No drinking water"), (
            "The drinking water fountain is broken.",
            "The water fountain only gives a trickle of warm water.",
        ), "building", "summer", 0.8),
        Problem(("Broken ramp", "Accessibility ramp damaged"), (
            "The wheelchair ramp at the side entrance has a broken handrail.",
            "The automatic door at the accessible entrance does not open.",
        ), "outdoor", "all", 1.0),
    ),
    "it": (
        Problem(("Eduroam not connecting", "Cannot connect to eduroam"), (
            "I cannot connect to eduroam at all, it keeps asking for my password.",
            "My laptop sees eduroam but the connection always fails.",
        ), "room", "term_start", 0.8),
        Problem(("Wi-Fi keeps dropping", "Slow Wi-Fi", "No Wi-Fi"), (
            "Eduroam keeps dropping every few minutes.",
            "The Wi-Fi is so slow that the online quiz timed out.",
            "There is no Wi-Fi signal in this part of the building.",
        ), "room", "term_start", 0.9),
        Problem(("Cannot log in", "Account locked", "Login fails"), (
            "I cannot log in to my university account, it says my password is wrong.",
            "My account was locked after I changed my password.",
            "Login to the portal fails with an unknown error.",
        ), "online", "term_start", 0.4),
        Problem(("Password reset not working", "Reset link expired"), (
            "The password reset link in the email has already expired when I click it.",
            "The password reset page does not accept my new password.",
        ), "online", "term_start", 0.3),
        Problem(("Multi-factor login broken", "MFA codes rejected"), (
            "The authenticator app codes are rejected every time.",
            "I got a new phone and now I cannot get past the multi-factor login.",
        ), "online", "all", 0.5),
        Problem(("Learning platform down", "Course page error"), (
            "The learning platform shows an error page when I open my course.",
            "The learning platform is down, nobody in my course can open it.",
        ), "online", "exams", 0.3),
        Problem(("Cannot submit assignment", "Upload fails"), (
            "I cannot upload my assignment, the submission page just keeps loading.",
            "The upload of my assignment fails with an error at 99 percent.",
        ), "online", "exams", 0.3),
        Problem(("Lecture videos not playing", "Recordings missing"), (
            "The lecture videos do not play on the learning platform.",
            "The recording of last week's lecture shows a black screen.",
        ), "online", "exams", 1.2),
        Problem(("Exam registration portal error", "Cannot register for exam"), (
            "The exam registration portal gives an internal error when I press submit.",
            "The exam registration page crashes before I can confirm.",
        ), "online", "exams", 0.3),
        Problem(("Student portal down", "Cannot download certificate"), (
            "The student portal is down and I need to download my certificate today.",
            "The student portal gives a timeout on every page.",
        ), "online", "term_start", 0.4),
        Problem(("Printer jammed", "Paper jam"), (
            "The printer says paper jam but there is no paper stuck anywhere.",
            "The printer jams on every second page.",
        ), "print", "exams", 0.7),
        Problem(("Printer offline", "Cannot print"), (
            "The printer is offline and print jobs just disappear.",
            "My print credit was charged but nothing came out of the printer.",
            "I cannot print from my laptop, the printer is not found.",
        ), "print", "exams", 0.8),
        Problem(("Scanner not working", "Copier broken"), (
            "The scanner sends empty e-mails.",
            "The copier shows an error code and does not copy.",
        ), "print", "all", 1.2),
        Problem(("Projector no signal", "Projector broken"), (
            "The projector shows no signal from the lectern computer.",
            "The projector switches itself off after five minutes.",
            "The projector picture is very dark and yellow.",
        ), "lecture", "term_start", 0.6),
        Problem(("HDMI not working", "Laptop will not connect to screen"), (
            "The HDMI cable at the lectern is broken, no laptop picture on the screen.",
            "My laptop does not show on the room screen, the adapter is missing.",
        ), "lecture", "term_start", 0.6),
        Problem(("Microphone not working", "No sound in lecture hall"), (
            "The microphone in the lecture hall does not work, nobody in the back can hear.",
            "There is no sound from the room speakers when playing a video.",
        ), "lecture", "term_start", 0.6),
        Problem(("Lab computer will not start", "Lab PCs frozen"), (
            "Several lab computers do not boot, they stop at a blue screen.",
            "The computers in the lab freeze when opening the statistics software.",
        ), "lab", "exams", 1.0),
        Problem(("Software licence expired", "Licence error"), (
            "The licence for the statistics software has expired on the lab machines.",
            "The design software says no licence is available.",
        ), "lab", "term_start", 2.2),
        Problem(("Software missing", "Software not installed"), (
            "The software we need for the course is not installed on the library computers.",
            "The programming environment for the course is missing on the lab PCs.",
        ), "lab", "term_start", 2.5),
        Problem(("Email not arriving", "No new emails"), (
            "I have not received any email since yesterday.",
            "Emails from outside the university do not reach my inbox.",
        ), "online", "all", 0.6),
        Problem(("Mailbox full", "Email attachments fail"), (
            "My mailbox says it is full although I deleted most messages.",
            "Sending email attachments fails with an error.",
        ), "online", "all", 0.8),
        Problem(("VPN disconnects", "VPN not working"), (
            "The VPN disconnects every ten minutes when I work from home.",
            "The VPN client cannot connect since the last update.",
        ), "online", "all", 0.9),
        Problem(("Phishing email", "Suspicious email"), (
            "I received a suspicious email asking for my password, it looks like phishing.",
            "Someone sent an email from a fake university address asking me to pay a fee.",
        ), "online", "all", 0.2),
        Problem(("Network drive not accessible", "Shared folder gone"), (
            "I cannot open the shared network drive of our department.",
            "The files in our group folder disappeared.",
        ), "office", "all", 0.8),
        Problem(("Desk phone dead", "Phone not working"), (
            "My desk phone has no dial tone.",
            "The phone in the office rings but the call drops when I pick up.",
        ), "office", "all", 1.4),
        Problem(("Room booking system error", "Cannot book a room"), (
            "The online room booking system shows an error when I try to book.",
            "The room booking app crashes on my phone.",
        ), "online", "all", 0.8),
        Problem(("Library computer frozen", "Library PC not working"), (
            "The library computers are stuck on the login screen.",
            "The catalogue terminal in the library has frozen.",
        ), "library", "exams", 0.9),
    ),
    "services": (
        Problem(("Canteen queue too long", "Slow service in the canteen", "Long queue at lunch"), (
            "The queue in the canteen took forty minutes at lunchtime.",
            "Only one till was open at noon and the queue went out of the door.",
            "Service in the cafeteria is so slow that I missed the start of my lecture.",
        ), "canteen", "term_start"),
        Problem(("Cold food", "Food quality"), (
            "The hot meal was cold when it was served.",
            "The salad bar was not fresh, some of it had gone off.",
            "The soup tasted burnt and the bread was stale.",
        ), "canteen", "all"),
        Problem(("Same menu every day", "No vegetarian choice"), (
            "The vegetarian option has been the same pasta every day this week.",
            "There is no vegan or halal choice on most days.",
        ), "canteen", "all", 1.5),
        Problem(("Portion sizes", "Smaller portions"), (
            "The portions have become much smaller for the same price.",
            "The main dish portion is too small to get through an afternoon of lectures.",
        ), "canteen", "all", 1.5),
        Problem(("Prices went up", "Canteen too expensive"), (
            "Food prices in the cafeteria went up again this term.",
            "A coffee now costs more than in the city centre.",
        ), "canteen", "term_start", 1.4),
        Problem(("Rude staff", "Unfriendly service"), (
            "The staff at the counter were rude when I asked a question.",
            "I was treated very unfriendly at the desk and sent away without an answer.",
            "The person at the desk shouted at a student in front of everyone.",
        ), "office", "all", 1.2),
        Problem(("Library fine", "Unfair library fine"), (
            "I was fined for a book that I returned on time.",
            "I got a library fine although the loan was extended online.",
        ), "library", "exams"),
        Problem(("Library hours", "Library closes too early"), (
            "The library closes too early during the exam period.",
            "The reading room should stay open on Sundays before exams.",
        ), "library", "exams", 1.8),
        Problem(("Reservation lost", "Library reservation given away"), (
            "My book reservation was given to someone else without notice.",
            "The library cancelled my reservation and nobody told me.",
        ), "library", "all"),
        Problem(("Enrolment certificate delayed", "Enrolment form lost"), (
            "My enrolment certificate has still not been issued after three weeks.",
            "The enrolment office lost the form I handed in.",
        ), "office", "term_start", 1.3),
        Problem(("Transcript missing", "Waiting for transcript"), (
            "I am still waiting for my transcript, I need it for a job application.",
            "I requested my transcript a month ago and heard nothing.",
        ), "office", "exams", 1.3),
        Problem(("Fees charged twice", "Wrong fee"), (
            "My semester fee was charged twice.",
            "I was charged the international fee although I am a home student.",
        ), "office", "term_start", 1.5),
        Problem(("Scholarship payment late", "Scholarship not paid"), (
            "The scholarship payment is a month late and nobody answers my emails.",
            "My scholarship was not paid this month.",
        ), "office", "term_start", 1.5),
        Problem(("Housing office not answering", "No reply from housing"), (
            "The housing office has not answered my emails for two weeks.",
            "Nobody picks up the phone at the housing office.",
        ), "residence", "term_start", 1.6),
        Problem(("Dorm contract problem", "Housing contract not renewed"), (
            "My dorm contract was not renewed even though I applied in time.",
            "The housing office changed my room without asking me.",
        ), "residence", "summer", 1.6),
        Problem(("Shuttle bus late", "Bus did not come"), (
            "The shuttle bus did not come this morning and many of us missed the exam start.",
            "The campus bus is always late in the evening.",
        ), "transport", "term_start", 0.9),
        Problem(("Shuttle timetable", "Timetable changed"), (
            "The new shuttle timetable does not match the lecture times.",
            "There is no shuttle after 8 pm although lectures end at 8.",
        ), "transport", "term_start", 1.8),
        Problem(("Sports centre hours", "Gym closes too early"), (
            "The sports centre opening hours are too short, it closes before I finish classes.",
            "The gym is closed on Sunday mornings.",
        ), "sports", "term_start", 1.5),
        Problem(("Gym classes full", "Cannot get a place in a class"), (
            "All gym classes are fully booked within minutes.",
            "The swimming courses are full again before registration officially opened.",
        ), "sports", "term_start", 1.5),
        Problem(("Waiting time counselling", "Counselling appointment"), (
            "The waiting time for a counselling appointment is six weeks.",
            "I was told there are no counselling appointments until after the exams.",
        ), "office", "exams", 1.3),
        Problem(("Health service not answering", "Health centre appointment"), (
            "Nobody answers the phone at the health service.",
            "The health centre cancelled my appointment at the last minute.",
        ), "office", "all", 1.0),
        Problem(("Vending machine ate my money", "Vending machine"), (
            "The vending machine took my money and gave nothing.",
            "The snack machine charges the card twice.",
        ), "canteen", "all", 0.7),
        Problem(("Cold coffee", "Coffee machine"), (
            "The coffee machine in the café only serves cold coffee.",
            "The café coffee is lukewarm every morning.",
        ), "canteen", "all", 0.8),
        Problem(("Office opening hours", "Nobody at the desk"), (
            "The student services desk was closed during its posted opening hours.",
            "The international office is only open two mornings a week.",
        ), "office", "term_start", 1.2),
        Problem(("Event cancelled", "Event badly organised"), (
            "The welcome event was cancelled at short notice and nobody was told.",
            "The career fair was so crowded that we could not talk to anyone.",
        ), "outdoor", "term_start", 1.5),
    ),
}

# How common each problem is in each month (January first) for its season.
SEASONS: dict[str, tuple[float, ...]] = {
    "all": (1,) * 12,
    "winter": (3.0, 2.6, 1.6, 0.7, 0.25, 0.1, 0.1, 0.1, 0.3, 1.0, 2.2, 2.8),
    "summer": (0.15, 0.15, 0.2, 0.4, 1.0, 2.6, 3.0, 2.4, 1.0, 0.3, 0.15, 0.15),
    "snow": (2.5, 1.8, 0.3, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.5, 1.8),
    "term_start": (0.8, 1.0, 1.6, 1.0, 0.7, 0.6, 0.5, 0.5, 2.2, 2.4, 1.2, 0.8),
    "exams": (1.8, 2.4, 0.8, 0.7, 0.8, 2.0, 2.2, 0.6, 0.7, 0.8, 0.8, 1.0),
}

BUILDINGS = ("Main Building", "Building A", "Building B", "Building C", "Science Tower", "Engineering Hall",
             "Humanities Building", "Law Faculty", "Medical School", "Business School")
LECTURE_HALLS = ("Aula Magna", "Lecture hall A1", "Lecture hall A2", "Lecture hall B", "Lecture hall C3",
                 "Auditorium Maximum", "Seminar room S1", "Seminar room S4", "Engineering Hall, lecture room E2",
                 "Medical School, lecture theatre 1")


def rooms() -> tuple[str, ...]:
    """Return ordinary rooms: a building and a room number such as 2.14."""
    return tuple(f"{building}, room {floor}.{number:02d}" for building in BUILDINGS
                 for floor in range(4) for number in (3, 8, 12, 15, 21, 27))


PLACES: dict[str, tuple[str, ...]] = {
    "room": rooms() + LECTURE_HALLS,
    "lecture": LECTURE_HALLS,
    "building": tuple(f"{building}, {part}" for building in BUILDINGS
                      for part in ("ground floor", "first floor", "second floor", "main stairwell", "east wing")),
    "toilets": tuple(f"{building}, {floor} toilets" for building in BUILDINGS
                     for floor in ("ground floor", "first floor", "second floor")) + (
        "Main library, ground floor toilets", "Sports centre changing rooms", "Main canteen toilets"),
    "outdoor": ("Path between Building A and the library", "Main entrance steps", "Bike shed behind Building C",
                "Footbridge to the Science Tower", "Campus square", "Bus stop at the main gate"),
    "car_park": ("Car park North", "Car park South", "Staff car park P3", "Multi-storey car park, level 2"),
    "lab": ("Computer lab 1, Building D", "Computer lab 2, Building D", "Chemistry lab 2, Science Tower",
            "Physics teaching lab", "Language lab, Humanities Building", "Design studio, Engineering Hall"),
    "print": ("Main library, print room", "Computer lab 1, Building D", "Student union copy shop corner",
              "Building B, printer on the first floor", "Law library"),
    "library": ("Main library", "Main library, 2nd floor reading room", "Law library", "Medical library",
                "Library service desk"),
    "canteen": ("Main canteen", "North cafeteria", "Café in the student union", "Engineering food court",
                "Medical School coffee bar"),
    "office": ("Registrar's office", "Student services centre", "International office", "Finance office",
               "Examinations office", "Building B, department office 1.12"),
    "residence": ("Lindenhof residence, block C", "Parkside student housing", "Riverside dorms, house 4",
                  "Housing office"),
    "transport": ("Shuttle stop at the main gate", "Shuttle stop at the station", "Campus North bus stop"),
    "sports": ("Sports centre", "Swimming pool", "Gym, first floor", "Sports fields"),
    # Account and online problems usually have no place; an empty string becomes a missing location.
    "online": ("", "", "", "", "Off campus (home)", "Main library", "Parkside student housing"),
}

# Greetings end a sentence or a line, so the report after them starts with a capital letter.
GREETINGS = ("", "", "", "", "Hi! ", "Hello! ", "Hi,\n", "Good morning,\n", "Dear helpdesk,\n", "Hello team,\n",
             "Hi there! ")
WHEN = ("", "", "", " It started this morning.", " This has been going on since Monday.",
        " It is the third time this month.", " Still not fixed since I last reported it.",
        " I noticed it about an hour ago.", " It has been like this all week.", " It happened again today.")
IMPACT: dict[str, tuple[str, ...]] = {
    "facility": ("", "", " It is a safety risk.", " Please send someone to look at it.",
                 " We cannot really use the room like this.", " Several colleagues noticed it too.",
                 " The seminar had to move to another room."),
    "it": ("", "", " I have a deadline tonight.", " The whole group is affected.",
           " I already restarted everything twice.", " Colleagues in the office have the same problem.",
           " I cannot work like this."),
    "services": ("", "", " This is not the first time.", " Several students had the same experience.",
                 " I would like someone to look into this.", " It is really frustrating.",
                 " I hope this can be improved."),
}
CLOSINGS = ("", "", "", " Thanks.", " Thank you!", " Thanks in advance.", "\nKind regards", " Cheers.",
            " Please fix this soon.")

FIRST_NAMES = ("Anna", "Luca", "Sofia", "Mateo", "Emma", "Noah", "Mia", "Leon", "Aisha", "Omar", "Chen", "Wei",
               "Priya", "Arjun", "Fatima", "Yusuf", "Olga", "Ivan", "Maria", "José", "Lena", "Jonas", "Chloé",
               "Hugo", "Sara", "Ali", "Hannah", "Ben", "Elif", "Can", "Kenji", "Yuki", "Amara", "Kwame", "Zoe",
               "Finn", "Nina", "Tom", "Ines", "Pedro", "Julia", "David", "Laura", "Samuel", "Marta", "Ahmed",
               "Ingrid", "Lars", "Grace", "Daniel")
LAST_NAMES = ("Rossi", "Müller", "García", "Smith", "Nowak", "Kowalski", "Schmidt", "Martin", "Silva", "Yilmaz",
              "Wang", "Li", "Patel", "Sharma", "Haddad", "Okafor", "Mensah", "Ivanova", "Petrov", "Jensen",
              "Nielsen", "Dubois", "Moreau", "Bianchi", "Fernández", "Costa", "Tanaka", "Sato", "Kim", "Park",
              "Novák", "Horváth", "Andersson", "Berg", "O'Brien", "Murphy", "Weber", "Fischer", "Romano",
              "Santos", "Lopez", "Ahmed", "Khan", "Cohen", "Levi", "Popescu", "Nagy", "Virtanen", "Hansen", "Brown")
TITLES_OF_PEOPLE = ("Prof.", "Dr.")
EMAIL_DOMAIN = "campus.example"

# Replies in threads, by category and by who writes.
STAFF_NAMES: dict[str, tuple[str, ...]] = {
    "facility": ("Facility team - Marco", "Facility team - Jana", "Caretaker Peter"),
    "it": ("IT support - Sam", "IT support - Mei", "IT service desk"),
    "services": ("Student services - Priya", "Campus services - Tom", "Service desk"),
}
STAFF_FIRST_REPLIES: dict[str, tuple[str, ...]] = {
    "facility": ("Thanks for reporting this. A technician is on the way.",
                 "Thank you, we have passed this to the maintenance team; they will come by today.",
                 "We have ordered the spare part; it should arrive within a few days.",
                 "A caretaker has had a look and we have called the contractor."),
    "it": ("Thanks for the report. Could you tell us which device and browser you are using?",
           "We are looking into it; a colleague is checking the server logs.",
           "Thanks, we can reproduce it and are working on a fix.",
           "Please try again now and let us know if it still happens."),
    "services": ("Thank you for your feedback; we have forwarded it to the manager of the service.",
                 "We are sorry about this. We are checking with the office and will get back to you.",
                 "Thanks for letting us know. Could you tell us the date and time this happened?",
                 "We have raised this with the team responsible."),
}
USER_REPLIES = ("Thanks for the quick answer.", "It is still happening today.", "Any news on this?",
                "It happened again this morning.", "Thank you, I will check and let you know.",
                "It was a laptop with the latest updates, in the usual place.",
                "Could you give me an estimate of when it will be fixed?", "Yes, around 10 o'clock.")
STAFF_FOLLOW_UPS = ("We have escalated this; thanks for your patience.", "Update: the fix is planned for tomorrow.",
                    "We are still waiting for the external company, sorry for the delay.",
                    "Thanks, that helps. We will update this ticket as soon as we know more.")
USER_NUDGES = ("Is anyone looking at this?", "Still a problem, please have a look.",
               "Adding: it is worse today.", "Any update?")
