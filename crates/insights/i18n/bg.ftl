### Думите на блока insights на български. Идентификаторите са ключовете от кода и шаблоните,
### с тирета вместо точки и долни черти (вижте docs/i18n.md).

## Таблото
insights-title = Ефективност на услугите
insights-platform-title = Как работят публичните услуги
insights-platform-intro = Данни за всяка услуга в Портико, отчитани в хода на работата: колко хора кандидатстват онлайн, колко довършват, колко време отнема решението спрямо законовия срок, колко струва една транзакция и какво мислят хората за нея.
insights-administration-intro = Как работят услугите на тази администрация, месец по месец, всяка услуга до останалите.
insights-service-intro = Как работи тази услуга, месец по месец, до другите администрации, които предлагат същата услуга.
insights-period = Период
insights-how-measured = Как се измерва всеки показател
insights-kpis-title = Основни показатели
insights-chart-data = Покажи данните като таблица
insights-definitions = Как се измерва всеки показател
insights-download = Изтегляне на данните
insights-download-csv = Месец по месец, като CSV
insights-download-json = Всичко, като JSON
insights-groups-administrations = Администрации
insights-groups-services = Услуги
insights-groups-template = Администрации, които предлагат същата услуга
insights-comments-title = Какво казаха хората
insights-comments-none = Още няма коментари.
insights-give-feedback = Кажете ни какво мислите за тази услуга
insights-ask = Задайте въпрос на тази администрация
insights-answer-label = Отговор

## Показатели
insights-kpi-take-up = Дигитално използване
insights-kpi-take-up-hint = Заявления, подадени онлайн, от всички заявления.
insights-kpi-take-up-formula = Подадени онлайн ÷ (подадени онлайн + приети на гише + получени по пощата), като администрацията въвежда данните за гише и поща всеки месец.
insights-kpi-completion = Довършени заявления
insights-kpi-completion-hint = Започнатите онлайн формуляри, които са подадени.
insights-kpi-completion-formula = Подадени заявления ÷ започнати формуляри за същия период. Чернова, неподадена до 30 дни, се отчита като изоставена.
insights-kpi-time = Време до решение (медиана / 90%)
insights-kpi-time-hint = Работни дни от подаването до решението: половината са по-бързи от първото число, девет от десет — от второто.
insights-kpi-time-formula = Работни дни (по българския календар, без официалните празници) от деня на подаване до деня на решението; медианата и 90-ият перцентил (най-близък ранг) на всички решения за периода.
insights-kpi-deadline = Законов срок (работни дни)
insights-kpi-deadline-hint = Времето, което законът дава за решение, средно за решенията.
insights-kpi-deadline-formula = Законовият срок в работни дни на всяко решено заявление, осреднен за решенията в периода.
insights-kpi-overdue = Решени със закъснение
insights-kpi-overdue-hint = Решения, взети след законовия срок.
insights-kpi-overdue-formula = Решения след законовия срок на заявлението ÷ всички решения за периода.
insights-kpi-cost = Разход за транзакция
insights-kpi-cost-hint = Колко е изразходвала администрацията на заявление.
insights-kpi-cost-formula = Разходите, които администрацията въвежда за периода ÷ (заявления онлайн + на гише + по пощата).
insights-kpi-satisfaction = Удовлетвореност
insights-kpi-satisfaction-hint = Хората, които са доволни или много доволни.
insights-kpi-satisfaction-formula = Оценки „доволен“ или „много доволен“ ÷ всички оценки по петстепенната скала, предлагана след подаване и след резултат; показва се само когато поне 5 души са дали оценка, за да не може да се разбере чия е.
insights-kpi-no-paper = Без хартия и без посещение
insights-kpi-no-paper-hint = Решения, чийто резултат е стигнал до електронната пощенска кутия на човека.
insights-kpi-no-paper-formula = Резултати, връчени в кутията за е-връчване на заявителя ÷ решения за периода (онлайн заявление с електронен резултат не е изисквало хартия и посещение).
insights-kpi-transactions = Заявления
insights-kpi-transactions-hint = Онлайн, на гише и по пощата.
insights-kpi-transactions-formula = Подадени онлайн + приети на гише + получени по пощата.
insights-kpi-inquiries = Запитвания (всички / закъснели)
insights-kpi-inquiries-hint = Зададени въпроси и тези с отговор след срока или още без отговор след него.
insights-kpi-inquiries-formula = Запитвания, зададени през периода; закъснели: с отговор след срока от 14 работни дни или без отговор след него.

## Графики и таблици
insights-chart-take-up = Заявления по канал
insights-chart-take-up-desc = Стълбове за всеки месец: подадените онлайн заявления до приетите на гише или получените по пощата. Таблицата отдолу дава числата.
insights-chart-time = Работни дни до решение
insights-chart-time-desc = Стълбове за всеки месец: медианата и 90-ият перцентил на работните дни от подаване до решение, законовият срок е пунктирна линия. Таблицата отдолу дава числата.
insights-chart-completion = Довършени заявления и удовлетвореност
insights-chart-completion-desc = Стълбове за всеки месец: процентът подадени от започнатите формуляри и процентът оценки „доволен“ или „много доволен“. Таблицата отдолу дава числата.
insights-series-online = Онлайн
insights-series-offline = Гише и поща
insights-series-median = Медиана
insights-series-p90 = 90-и перцентил
insights-series-deadline = Законов срок
insights-col-month = Месец
insights-col-counter = На гише
insights-col-post = По пощата
insights-col-decided = Решени
insights-col-started = Започнати
insights-col-ratings = Оценки
insights-col-name = Наименование
insights-col-transactions = Заявления
insights-col-median = Медиана в работни дни
insights-col-reference = Номер

## Обратна връзка
insights-feedback-title = Оценете тази услуга
insights-feedback-anonymous = Оценката ви е анонимна: пазим отговора и деня, не кои сте.
insights-feedback-question = Като цяло, как оценявате услугата, която получихте днес?
insights-rating-5 = Много доволен
insights-rating-4 = Доволен
insights-rating-3 = Нито доволен, нито недоволен
insights-rating-2 = Недоволен
insights-rating-1 = Много недоволен
insights-feedback-comment = Как можем да подобрим услугата? (по желание)
insights-feedback-comment-hint = Не пишете лични или финансови данни, като ЕГН или банкова сметка.
insights-feedback-send = Изпрати оценката
insights-feedback-thanks = Благодарим за оценката
insights-feedback-thanks-body = Ще я използваме, за да подобрим услугата.
insights-feedback-see = Вижте как работи тази услуга

## Запитвания
insights-inquiry-title = Задайте въпрос на администрация
insights-inquiry-intro = Питайте за услуга или за заявление. Получавате номер, а администрацията отговаря до 14 работни дни.
insights-inquiry-administration = Администрация
insights-inquiry-choose = Изберете администрация
insights-inquiry-service = Услуга
insights-inquiry-service-hint = Ако въпросът ви е за една услуга.
insights-inquiry-no-service = Без конкретна услуга
insights-inquiry-application = Номер на заявление (по желание)
insights-inquiry-application-hint = Ако въпросът ви е за подадено от вас заявление.
insights-inquiry-email = Имейл адрес
insights-inquiry-email-hint = Изпращаме отговора тук.
insights-inquiry-email-hint-signed-in = По желание: изпращаме отговора на адреса на профила ви, освен ако не посочите друг.
insights-inquiry-question = Вашият въпрос
insights-inquiry-send = Изпрати въпроса
insights-inquiry-sent = Въпросът ви е изпратен
insights-inquiry-reference = Вашият номер
insights-inquiry-deadline = Срок за отговор
insights-inquiry-waiting = Още без отговор
insights-inquiries-mine = Моите въпроси
insights-inquiries-none = Не сте задавали въпроси.

## Бек офис
insights-office-inquiries = Запитвания
insights-office-overdue =
    { $count ->
        [one] { $count } запитване е след срока си.
       *[other] { $count } запитвания са след срока си.
    }
insights-office-none = Няма отворени запитвания.
insights-overdue = Просрочено
insights-answer-send = Изпрати отговора
insights-office-feedback = Оценки за нашите услуги
insights-office-feedback-intro = Коментарите, оставени от хората, най-новите първи. Оценките са анонимни: виждате оценката, коментара и месеца, никога кой я е дал. Коментарите за услуга от даден месец се показват, след като поне 5 души са дали оценка за нея през този месец, а удовлетвореността — след като поне 5 са я оценили.
insights-hidden = Скрит
insights-hide = Скрий коментара
insights-hide-reason = Причина за скриването
insights-figures-title = Данни за гише, поща и разходи
insights-figures-intro = Всеки месец въведете за всяка услуга заявленията, приети на гише и получени по пощата, и разхода за предоставянето ѝ. Повторното въвеждане на месец заменя данните му.
insights-figures-month = Месец
insights-figures-month-hint = Като година и месец, например 2026-03.
insights-figures-counter = Заявления на гише
insights-figures-post = Заявления по пощата
insights-figures-cost = Разход в евро
insights-figures-cost-hint = Всичко, което е струвало предоставянето на услугата през месеца, например 12500,00.
insights-figures-save = Запази данните
insights-figures-saved = Данните са запазени
insights-figures-entered = Въведени данни

## Грешки
insights-error-rating = Изберете доколко сте доволни
insights-error-too-long = Коментарът трябва да е до 1200 знака
insights-error-answer = Въведете отговор
insights-error-answered = На това вече е отговорено
insights-error-reason = Въведете причината, поне 5 знака
insights-error-administration = Изберете администрация
insights-error-service = Изберете една от услугите на тази администрация
insights-error-reference = Въведете номера на заявлението, както е в разписката
insights-error-email = Въведете имейл адрес, например ime@example.com
insights-error-question = Въведете въпроса си, от 10 до 4000 знака
insights-error-month = Въведете месец до текущия, например 2026-03
insights-error-amount = Въведете цяло число, 0 или повече (разходът: в евро, до 2 знака след десетичната запетая)

## Действия в журнала
audit-insights-figures-entered = Въведени месечни данни
audit-insights-feedback-answered = Отговор на оценка
audit-insights-feedback-hidden = Скрита оценка
audit-insights-inquiry-asked = Зададено запитване
audit-insights-inquiry-answered = Отговорено запитване
