### Думите на блока за гражданско участие на български. Идентификаторите са ключовете от кода,
### с тирета на мястото на точките и долните черти (вж. docs/i18n.md).

## Грешки и откази
participation-error-not-found = Няма такъв процес или предложение.
participation-error-forbidden = Нямате право на това действие.
participation-error-assurance-too-low = Необходим е вход с ниво на осигуреност поне „значително“.
participation-error-slug-invalid = Краткото име може да съдържа само малки латински букви, цифри и тирета.
participation-error-slug-taken = Друг процес вече има това кратко име.
participation-error-title-missing = Дайте заглавие на процеса на български и на английски.
participation-error-phases-out-of-order = Датите на етапите трябва да следват една след друга: предложения, оценка, гласуване, резултати.
participation-error-voter-area-missing = Посочете кой може да гласува: общината или район.
participation-error-min-age-invalid = Минималната възраст трябва да е между 0 и 120 години.
participation-error-budget-invalid = Бюджетът трябва да е положителна сума с трибуквен код на валута.
participation-error-max-choices-invalid = Бюлетината трябва да позволява избор на поне един проект.
participation-error-legal-basis-missing = Посочете правното основание за проверката на гласуващите в регистъра на населението.
participation-error-boundary-invalid = Границата трябва да е GeoJSON Polygon или MultiPolygon.
participation-error-topics-missing = Дайте на процеса поне една тема.
participation-error-topic-duplicate = Две теми имат един и същ код.
participation-error-stale-version = Процесът е променен, откакто го отворихте. Прегледайте го отново.
participation-error-rules-locked = Правилата не могат да се променят: вече има подадени бюлетини.
participation-error-not-in-proposals = В момента не се приемат предложения.
participation-error-try-again = Моля, опитайте отново.
participation-error-proposal-title-invalid = Дайте на предложението заглавие до 200 знака.
participation-error-proposal-description-invalid = Опишете предложението (до 10 000 знака).
participation-error-proposal-budget-invalid = Бюджетът на предложението трябва да е положителен и в рамките на бюджета на процеса.
participation-error-proposal-topics-invalid = Изберете поне една от темите на процеса.
participation-error-location-invalid = Местоположението не е валидна географска ширина и дължина.
participation-error-support-closed = Предложенията могат да се подкрепят само преди началото на гласуването.
participation-error-comment-invalid = Напишете коментар до 2000 знака.
participation-error-comments-closed = Коментарите са затворени.
participation-error-review-reason-missing = Оценката изисква мотив, който се публикува.
participation-error-review-closed = Предложенията могат да се оценяват само преди началото на гласуването.
participation-error-review-status-invalid = Оценката решава: осъществимо, неосъществимо или обединено.
participation-error-merge-target-invalid = Предложение може да се обедини само с друго предложение от същия процес.

## Действия в одитния журнал
audit-participation-process-opened = Открит процес за гражданско участие
audit-participation-rules-changed = Променени правила на процес за гражданско участие
audit-participation-proposal-submitted = Подадено предложение
audit-participation-proposal-reviewed = Оценено предложение

## Бюлетини
participation-error-not-in-voting = В момента не се гласува.
participation-error-already-voted = Вече сте гласували в този процес.
participation-error-phone-used = Този телефонен номер вече е използван от друг гласуващ в процеса.
participation-error-phone-invalid = Посочете български мобилен телефонен номер.
participation-error-location-required = За този процес е нужно местоположението ви, за да се провери, че сте в неговия район.
participation-error-outside-boundary = Местоположението ви е извън района на този процес.
participation-error-ballot-invalid = Изберете различни проекти от процеса, оценени като осъществими.
participation-error-too-many-choices = Избрали сте повече проекти, отколкото процесът позволява.
participation-error-over-budget = Избраните проекти струват повече от бюджета.
participation-error-change-not-allowed = Този процес не позволява промяна на бюлетината.
participation-error-receipt-unknown = Нямате бюлетина с тази разписка.

## Проверка и преброяване
participation-error-not-resident = Според регистъра на населението не живеете в района на този процес.
participation-error-under-age = Под минималната възраст сте за гласуване в този процес.
participation-error-no-personal-id = Профилът ви няма личен номер, който да се провери в регистъра на населението.
participation-error-register-unavailable = Регистърът на населението не може да бъде запитан сега. Опитайте по-късно.
participation-error-too-many-codes = Изпратени са твърде много кодове. Изчакайте няколко минути и опитайте отново.
participation-error-not-verified = Първо потвърдете, че можете да гласувате: ще изпратим код на телефона ви.
participation-error-code-wrong = Кодът не е верен. Проверете SMS съобщението и опитайте отново.
participation-error-code-expired = Кодът е изтекъл или е опитван твърде много пъти. Поискайте нов.
participation-error-tally-not-public = Резултатът се публикува, когато гласуването приключи.
